import { assertPeriod } from './period';

export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

export interface MacdPeriods {
  fast: number;
  slow: number;
  signal: number;
}

/**
 * MACD as TA-Lib's MACD, which differs from two independent EMAs: both EMAs start at the same bar,
 * slow−1. The slow EMA is seeded with the SMA of closes 0..slow−1, the fast one with the SMA of the fast
 * closes ending at that same bar (slow−fast..slow−1), not of the first fast closes. The signal EMA is
 * seeded with the SMA of the first `signal` MACD values; all three outputs appear together at bar
 * slow+signal−2 (33 for 12/26/9). α = 2/(n+1) throughout.
 */
export class Macd {
  readonly periods: MacdPeriods;
  private readonly state = new MacdState();
  private readonly scratch = new MacdState();
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;

  constructor(periods: MacdPeriods = { fast: 12, slow: 26, signal: 9 }) {
    assertPeriod('Macd fast', periods.fast);
    assertPeriod('Macd slow', periods.slow);
    assertPeriod('Macd signal', periods.signal);
    // TA-Lib swaps the periods when slow < fast.
    const [fast, slow] =
      periods.slow < periods.fast ? [periods.slow, periods.fast] : [periods.fast, periods.slow];
    this.periods = { fast, slow, signal: periods.signal };
    this.kFast = 2 / (fast + 1);
    this.kSlow = 2 / (slow + 1);
    this.kSignal = 2 / (periods.signal + 1);
  }

  get isReady(): boolean {
    return this.state.bars >= this.firstOutput;
  }

  get macd(): number {
    return this.isReady ? this.state.macd : Number.NaN;
  }

  get signal(): number {
    return this.isReady ? this.state.signal : Number.NaN;
  }

  get histogram(): number {
    return this.isReady ? this.state.macd - this.state.signal : Number.NaN;
  }

  get value(): MacdValue | null {
    return this.readingOf(this.state);
  }

  /** Returns true once MACD, signal and histogram are ready. */
  update(close: number): boolean {
    this.advance(this.state, close);
    return this.isReady;
  }

  preview(close: number): MacdValue | null {
    this.scratch.copyFrom(this.state);
    this.advance(this.scratch, close);
    return this.readingOf(this.scratch);
  }

  private get firstOutput(): number {
    return this.periods.slow + this.periods.signal - 2;
  }

  private readingOf(s: MacdState): MacdValue | null {
    if (s.bars < this.firstOutput) return null;
    return { macd: s.macd, signal: s.signal, histogram: s.macd - s.signal };
  }

  private advance(s: MacdState, close: number): void {
    const index = ++s.bars;
    const { fast, slow, signal } = this.periods;
    const seedBar = slow - 1;
    if (index < seedBar) {
      s.slow += close;
      if (index >= slow - fast) s.fast += close;
      return;
    }
    if (index === seedBar) {
      s.slow = (s.slow + close) / slow;
      s.fast = (s.fast + close) / fast;
    } else {
      s.slow = (close - s.slow) * this.kSlow + s.slow;
      s.fast = (close - s.fast) * this.kFast + s.fast;
    }
    s.macd = s.fast - s.slow;
    const signalSeedBar = seedBar + signal - 1;
    if (index < signalSeedBar) s.signal += s.macd;
    else if (index === signalSeedBar) s.signal = (s.signal + s.macd) / signal;
    else s.signal = (s.macd - s.signal) * this.kSignal + s.signal;
  }
}

class MacdState {
  bars = -1;
  /** Sum of the seed window until the seed bar, the EMA after. */
  fast = 0;
  slow = 0;
  signal = 0;
  macd = 0;

  copyFrom(o: MacdState): void {
    this.bars = o.bars;
    this.fast = o.fast;
    this.slow = o.slow;
    this.signal = o.signal;
    this.macd = o.macd;
  }
}
