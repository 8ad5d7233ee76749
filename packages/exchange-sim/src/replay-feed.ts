import { type FrameFault, FrameFaults } from './frame-faults';
import type { RecordedFrame } from './recorded-frame';

/**
 * How a feed advances: `realtime` honours the recorded gaps between event times, `accelerated`
 * divides them by `factor`, `asap` sends everything as fast as the event loop allows, `step` sends
 * only when told (tests).
 */
export type ReplaySpeed =
  | { mode: 'realtime' }
  | { mode: 'accelerated'; factor: number }
  | { mode: 'asap' }
  | { mode: 'step' };

export interface ReplayFeedOptions {
  /** Start from the beginning again after the last frame (sequence numbers restart: clients resync). */
  loop: boolean;
  /** Longest pause honoured between two frames, so recorded outages don't freeze a demo. */
  maxGapMs: number;
}

export interface FeedState {
  name: string;
  position: number;
  total: number;
  running: boolean;
  speed: ReplaySpeed;
  pendingFaults: number;
  ended: boolean;
}

type Listener = (frame: RecordedFrame) => void;

const ASAP_BATCH = 256;

/** Replays one recorded frame list to its listeners, at a chosen speed, with injectable faults. */
export class ReplayFeed {
  private position = 0;
  private running = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly faults = new FrameFaults();
  private readonly sourceListeners: Listener[] = [];
  private readonly wireListeners: Listener[] = [];
  private readonly rewindListeners: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly frames: readonly RecordedFrame[],
    private speed: ReplaySpeed,
    private readonly options: ReplayFeedOptions,
  ) {}

  /** Every recorded frame as it happens (before transport faults): the exchange's own state. */
  onSource(listener: Listener): void {
    this.sourceListeners.push(listener);
  }

  /** Frames as they go over the wire (after transport faults). */
  onWire(listener: Listener): void {
    this.wireListeners.push(listener);
  }

  onRewind(listener: () => void): void {
    this.rewindListeners.push(listener);
  }

  setSpeed(speed: ReplaySpeed): void {
    this.speed = speed;
    if (this.running) this.schedule();
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  pause(): void {
    this.running = false;
    this.cancelTimer();
  }

  /** Sends the next `count` source frames now, whatever the speed; returns how many were replayed. */
  step(count = 1): number {
    let done = 0;
    while (done < count && this.emitNext()) done++;
    return done;
  }

  inject(fault: FrameFault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  state(): FeedState {
    return {
      name: this.name,
      position: this.position,
      total: this.frames.length,
      running: this.running,
      speed: this.speed,
      pendingFaults: this.faults.pending(),
      ended: this.position >= this.frames.length && !this.options.loop,
    };
  }

  private emitNext(): boolean {
    if (this.position >= this.frames.length) {
      if (!this.options.loop || this.frames.length === 0) return false;
      this.position = 0;
      for (const l of this.rewindListeners) l();
    }
    const frame = this.frames[this.position++] as RecordedFrame;
    for (const l of this.sourceListeners) l(frame);
    for (const out of this.faults.process(frame)) for (const l of this.wireListeners) l(out);
    return true;
  }

  private schedule(): void {
    this.cancelTimer();
    if (!this.running || this.speed.mode === 'step') return;
    if (this.speed.mode === 'asap') {
      this.timer = setImmediate(() => {
        if (this.step(ASAP_BATCH) > 0) this.schedule();
      });
      return;
    }
    const delay = this.delayBeforeNext();
    this.timer = setTimeout(() => {
      if (this.emitNext()) this.schedule();
    }, delay);
  }

  private delayBeforeNext(): number {
    const prev = this.frames[this.position - 1]?.time;
    const next = this.frames[this.position]?.time;
    if (prev === undefined || next === undefined) return 0;
    const gap = Math.min(Math.max(next - prev, 0), this.options.maxGapMs);
    return this.speed.mode === 'accelerated' ? gap / this.speed.factor : gap;
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }
}
