import type { OhlcvBar } from './ohlcv-bar';
import { assertPeriod } from './period';
import { isTaZero, isZeroAtScale } from './ta-lib-zero';
import { trueRange } from './true-range';

export interface AdxValue {
  adx: number;
  plusDi: number;
  minusDi: number;
}

export interface DirectionalValue {
  plusDi: number;
  minusDi: number;
}

/**
 * Average directional index with +DI/−DI, as TA-Lib's ADX, PLUS_DI and MINUS_DI: directional movement and
 * true range are summed over bars 1..n−1, then Wilder-smoothed (s − s/n + x). +DI/−DI are ready after n+1
 * bars, ADX (the mean of the first n DX values, then Wilder-smoothed) after 2n bars.
 */
export class Adx {
  readonly period: number;
  private readonly state = new AdxState();
  private readonly scratch = new AdxState();

  constructor(period: number) {
    assertPeriod('Adx', period, 2);
    this.period = period;
  }

  /** +DI and −DI are available. */
  get isDirectionReady(): boolean {
    return this.state.bars >= this.period;
  }

  get isReady(): boolean {
    return this.state.bars >= 2 * this.period - 1;
  }

  get adx(): number {
    return this.isReady ? this.state.adx : Number.NaN;
  }

  get plusDi(): number {
    return this.isDirectionReady ? this.state.plusDi : Number.NaN;
  }

  get minusDi(): number {
    return this.isDirectionReady ? this.state.minusDi : Number.NaN;
  }

  get value(): AdxValue | null {
    return readingOf(this.state, this.period);
  }

  get direction(): DirectionalValue | null {
    return directionOf(this.state, this.period);
  }

  /** Returns true once ADX itself is ready. */
  update(bar: OhlcvBar): boolean {
    const s = this.state;
    advance(s, bar.high, bar.low, bar.close, trueRange(bar.high, bar.low, s.previousClose), this.period);
    return this.isReady;
  }

  /** update() for a caller that already has the bar's true range (ignored on the first bar). */
  pushTrueRange(high: number, low: number, close: number, tr: number): void {
    advance(this.state, high, low, close, tr, this.period);
  }

  preview(bar: OhlcvBar): AdxValue | null {
    this.previewInto(this.scratch, bar);
    return readingOf(this.scratch, this.period);
  }

  previewDirection(bar: OhlcvBar): DirectionalValue | null {
    this.previewInto(this.scratch, bar);
    return directionOf(this.scratch, this.period);
  }

  private previewInto(scratch: AdxState, bar: OhlcvBar): void {
    scratch.copyFrom(this.state);
    const tr = trueRange(bar.high, bar.low, scratch.previousClose);
    advance(scratch, bar.high, bar.low, bar.close, tr, this.period);
  }
}

class AdxState {
  bars = -1;
  previousHigh = 0;
  previousLow = 0;
  previousClose = 0;
  plusDm = 0;
  minusDm = 0;
  range = 0;
  plusDi = 0;
  minusDi = 0;
  dxSum = 0;
  adx = 0;

  copyFrom(o: AdxState): void {
    this.bars = o.bars;
    this.previousHigh = o.previousHigh;
    this.previousLow = o.previousLow;
    this.previousClose = o.previousClose;
    this.plusDm = o.plusDm;
    this.minusDm = o.minusDm;
    this.range = o.range;
    this.plusDi = o.plusDi;
    this.minusDi = o.minusDi;
    this.dxSum = o.dxSum;
    this.adx = o.adx;
  }
}

function readingOf(s: AdxState, n: number): AdxValue | null {
  return s.bars >= 2 * n - 1 ? { adx: s.adx, plusDi: s.plusDi, minusDi: s.minusDi } : null;
}

function directionOf(s: AdxState, n: number): DirectionalValue | null {
  return s.bars >= n ? { plusDi: s.plusDi, minusDi: s.minusDi } : null;
}

// One step of TA-Lib's ADX loop; the branch order and operation order are TA-Lib's.
function advance(s: AdxState, high: number, low: number, close: number, tr: number, n: number): void {
  const index = ++s.bars;
  const diffPlus = high - s.previousHigh;
  const diffMinus = s.previousLow - low;
  s.previousHigh = high;
  s.previousLow = low;
  s.previousClose = close;
  if (index === 0) return;
  if (index >= n) {
    s.minusDm -= s.minusDm / n;
    s.plusDm -= s.plusDm / n;
    s.range = s.range - s.range / n + tr;
  } else {
    s.range += tr;
  }
  if (diffMinus > 0 && diffPlus < diffMinus) s.minusDm += diffMinus;
  else if (diffPlus > 0 && diffPlus > diffMinus) s.plusDm += diffPlus;
  if (index < n) return;

  let dx = 0;
  let hasDx = false;
  // The range is in price units: zero relative to the price, not TA-Lib's absolute 1e-8 (ta-lib-zero.ts).
  if (isZeroAtScale(s.range, close)) {
    s.minusDi = 0;
    s.plusDi = 0;
  } else {
    s.minusDi = 100 * (s.minusDm / s.range);
    s.plusDi = 100 * (s.plusDm / s.range);
    const total = s.minusDi + s.plusDi;
    if (!isTaZero(total)) {
      dx = 100 * (Math.abs(s.minusDi - s.plusDi) / total);
      hasDx = true;
    }
  }
  const first = 2 * n - 1;
  if (index <= first) {
    if (hasDx) s.dxSum += dx;
    if (index === first) s.adx = s.dxSum / n;
  } else if (hasDx) {
    s.adx = (s.adx * (n - 1) + dx) / n;
  }
}
