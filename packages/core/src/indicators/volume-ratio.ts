import { Sma } from './sma';

/**
 * A bar's volume over the SMA of volume for the last n bars, that bar included: 1 is an ordinary bar,
 * 3 is three times the usual activity. 0 when the whole window traded nothing. Ready after n bars.
 */
export class VolumeRatio {
  readonly period: number;
  private readonly average: Sma;
  private current = Number.NaN;

  constructor(period: number) {
    this.average = new Sma(period);
    this.period = period;
  }

  get isReady(): boolean {
    return this.average.isReady;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  update(volume: number): number | null {
    this.push(volume);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(volume: number): void {
    this.average.push(volume);
    if (this.average.isReady) this.current = volumeRatioOf(volume, this.average.mean);
  }

  preview(volume: number): number | null {
    const average = this.average.preview(volume);
    return average === null ? null : volumeRatioOf(volume, average);
  }
}

/** A bar's volume over the mean volume of its window; 0 when the window traded nothing. */
export function volumeRatioOf(volume: number, average: number): number {
  return average === 0 ? 0 : volume / average;
}
