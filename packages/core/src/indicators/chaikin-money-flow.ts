import type { OhlcvBar } from './ohlcv-bar';
import { assertPeriod } from './period';

/**
 * Chaikin Money Flow: Σ money-flow volume / Σ volume over n bars, where a bar's money-flow volume is
 * volume × ((close − low) − (high − close)) / (high − low), and 0 for a bar with high = low.
 * TA-Lib has no CMF; 0 when the window traded nothing. Ready after n bars.
 *
 * The sums run (the newest bar added, the oldest taken off), so they keep rounding residues: after a
 * window that traded nothing they would be about 1e-14 rather than 0, and their ratio anything (−87.5
 * was seen). The zero-volume bars are counted instead: a window holding only those has sums of exactly 0,
 * and they are set so. The value is held to [−1, 1], which no bar's money flow exceeds.
 */
export class ChaikinMoneyFlow {
  readonly period: number;
  private readonly flows: Float64Array;
  private readonly volumes: Float64Array;
  private head = 0;
  private count = 0;
  /** Sums over the most recent period−1 bars. */
  private flowSum = 0;
  private volumeSum = 0;
  /** How many of those period−1 bars traded nothing. */
  private idleBars = 0;
  private current = Number.NaN;
  /** Σ volume over the last n bars, kept for VolumeRatio's mean (IndicatorSet shares this window). */
  private volumeTotal = Number.NaN;

  constructor(period: number) {
    assertPeriod('ChaikinMoneyFlow', period);
    this.period = period;
    this.flows = new Float64Array(period);
    this.volumes = new Float64Array(period);
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  update(bar: OhlcvBar): number | null {
    this.push(bar);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(bar: OhlcvBar): void {
    this.pushValues(bar.high, bar.low, bar.close, bar.volume);
  }

  /** push() from the bar's numbers. */
  pushValues(high: number, low: number, close: number, volume: number): void {
    const n = this.period;
    const flow = moneyFlowOf(high, low, close, volume);
    this.flows[this.head] = flow;
    this.volumes[this.head] = volume;
    if (++this.head === n) this.head = 0;
    const flowTotal = this.flowSum + flow;
    const volumeTotal = this.volumeSum + volume;
    const idleTotal = this.idleBars + (volume === 0 ? 1 : 0);
    if (this.count < n - 1) {
      this.flowSum = flowTotal;
      this.volumeSum = volumeTotal;
      this.idleBars = idleTotal;
      this.count++;
      return;
    }
    if (this.count < n) this.count++;
    // A window that traded nothing sums to exactly 0 (its bars' flows are 0 too), whatever the residue.
    const idle = idleTotal === n;
    this.current = idle ? 0 : ratio(flowTotal, volumeTotal);
    this.volumeTotal = idle ? 0 : volumeTotal;
    const dropped = this.volumes[this.head]!;
    this.idleBars = idleTotal - (dropped === 0 ? 1 : 0);
    const rest = this.idleBars === n - 1;
    this.flowSum = rest ? 0 : flowTotal - this.flows[this.head]!;
    this.volumeSum = rest ? 0 : volumeTotal - dropped;
  }

  /** The SMA of volume over the same n bars, summed in the same order as Sma: NaN until ready. */
  get volumeMean(): number {
    return this.isReady ? this.volumeTotal / this.period : Number.NaN;
  }

  preview(bar: OhlcvBar): number | null {
    if (this.count < this.period - 1) return null;
    return ratio(this.flowSum + moneyFlowVolume(bar), this.volumeSum + bar.volume);
  }

  /** volumeMean as if `volume` closed the window now; null until then. */
  previewVolumeMean(volume: number): number | null {
    return this.count < this.period - 1 ? null : (this.volumeSum + volume) / this.period;
  }
}

/** A bar's money-flow volume; exported so tests and tools use the same definition. */
export function moneyFlowVolume(bar: OhlcvBar): number {
  return moneyFlowOf(bar.high, bar.low, bar.close, bar.volume);
}

function moneyFlowOf(high: number, low: number, close: number, volume: number): number {
  const range = high - low;
  if (range === 0) return 0;
  return ((close - low - (high - close)) / range) * volume;
}

/** Σ flow / Σ volume, held to [−1, 1]: a residue left by the running sums cannot push it past them. */
function ratio(flow: number, volume: number): number {
  if (volume === 0) return 0;
  return Math.min(1, Math.max(-1, flow / volume));
}
