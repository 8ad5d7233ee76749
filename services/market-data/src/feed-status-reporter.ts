import type { Bus } from '@ballast/bus';
import { type Clock, type FeedState, type FeedStatus, Subjects, subject } from '@ballast/contracts';
import { StalenessMonitor } from '@ballast/core';

export interface StatusLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Publishes `md.status.{exchange}`: connection states (symbol null) and per-symbol states, including
 * stale when a symbol has had no update for `staleAfterMs` and live again when updates resume, so
 * downstream services can refuse entries on stale data.
 */
export class FeedStatusReporter implements Disposable {
  private readonly monitor: StalenessMonitor;
  private readonly lastMessage = new Map<string, number>();
  private readonly states = new Map<string | null, FeedState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { bus: Bus; venue: string; clock: Clock; log: StatusLog; staleAfterMs: number },
  ) {
    this.monitor = new StalenessMonitor(deps.staleAfterMs);
  }

  /** Checks staleness a few times per threshold, so a stale feed is reported within about 1.25× it. */
  start(): void {
    const every = Math.max(50, Math.min(1_000, Math.floor(this.deps.staleAfterMs / 4)));
    this.timer = setInterval(() => this.check(), every);
  }

  stateOf(symbol: string | null): FeedState | undefined {
    return this.states.get(symbol);
  }

  /** An update for a symbol arrived: it is live (again) if it was not. */
  touch(symbol: string): void {
    const now = this.deps.clock.now();
    this.lastMessage.set(symbol, now);
    const known = this.monitor.stateOf(symbol) !== undefined;
    this.monitor.touch(symbol, now);
    if (!known && this.states.get(symbol) !== 'resyncing') this.report(symbol, 'live', 'first update');
  }

  report(symbol: string | null, state: FeedState, reason: string): void {
    if (this.states.get(symbol) === state) return;
    this.states.set(symbol, state);
    const payload: FeedStatus = {
      exchange: this.deps.venue,
      symbol,
      state,
      reason,
      lastMessageTime: symbol === null ? null : (this.lastMessage.get(symbol) ?? null),
    };
    this.deps.log.info({ symbol, state, reason }, 'feed status');
    const to = subject(Subjects.feedStatus, { exchange: this.deps.venue });
    this.deps.bus.publish(to, payload).catch((err: unknown) => {
      this.deps.log.error({ err: String(err), symbol, state }, 'publishing feed status failed');
    });
  }

  check(): void {
    for (const t of this.monitor.check(this.deps.clock.now())) {
      if (t.to === 'stale')
        this.report(t.key, 'stale', `no update for more than ${this.deps.staleAfterMs} ms`);
      else if (this.states.get(t.key) === 'stale') this.report(t.key, 'live', 'updates resumed');
    }
  }

  [Symbol.dispose](): void {
    if (this.timer) clearInterval(this.timer);
  }
}
