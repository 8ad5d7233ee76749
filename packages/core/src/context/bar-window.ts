import type { OhlcvBar } from '../indicators';

/** The last `capacity` bars, oldest first: keeps support/resistance work bounded however long a run is. */
export class BarWindow {
  readonly capacity: number;
  private readonly bars: OhlcvBar[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('BarWindow: capacity must be ≥ 1');
    this.capacity = capacity;
  }

  push(bar: OhlcvBar): void {
    this.bars.push({ open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume });
    if (this.bars.length > this.capacity) this.bars.shift();
  }

  get size(): number {
    return this.bars.length;
  }

  toArray(): readonly OhlcvBar[] {
    return this.bars;
  }
}
