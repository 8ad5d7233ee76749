import type { RecordedFrame } from './recorded-frame';

/** Transport faults applied to a feed's outgoing frames; the simulator's own state never sees them. */
export type FrameFault =
  | { kind: 'skip'; count: number; route?: string }
  | { kind: 'duplicate'; count: number; route?: string }
  | { kind: 'reorder'; route?: string };

interface ActiveFault {
  kind: FrameFault['kind'];
  remaining: number;
  route: string | undefined;
  held: RecordedFrame | undefined;
}

/**
 * Turns each source frame into the frames actually sent: skip drops it (a sequence gap), duplicate
 * sends it twice, reorder holds one frame and sends it after the next one of the same route.
 */
export class FrameFaults {
  private faults: ActiveFault[] = [];

  add(fault: FrameFault): void {
    const remaining = fault.kind === 'reorder' ? 1 : fault.count;
    this.faults.push({ kind: fault.kind, remaining, route: fault.route, held: undefined });
  }

  clear(): void {
    this.faults = [];
  }

  pending(): number {
    return this.faults.length;
  }

  process(frame: RecordedFrame): RecordedFrame[] {
    const fault = this.faults.find((f) => f.route === undefined || f.route === frame.route);
    if (!fault) return [frame];
    const out = this.apply(fault, frame);
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return out;
  }

  private apply(fault: ActiveFault, frame: RecordedFrame): RecordedFrame[] {
    switch (fault.kind) {
      case 'skip':
        fault.remaining--;
        return [];
      case 'duplicate':
        fault.remaining--;
        return [frame, frame];
      case 'reorder':
        if (!fault.held) {
          fault.held = frame;
          return [];
        }
        fault.remaining = 0;
        return [frame, fault.held];
    }
  }
}
