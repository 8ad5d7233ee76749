import type { VolatilityRegime } from '@ballast/contracts';
import { RealisedVolatility } from '../indicators';

export type VolatilityLevel = VolatilityRegime['level'];

export interface VolatilityBand {
  /** The band applies while recent/long-term volatility is below this ratio. */
  below: number;
  level: VolatilityLevel;
  positionScale: number;
  stopMultiplier: number;
}

export interface VolatilityRegimeOptions {
  /** Returns in the recent window. */
  shortPeriod: number;
  /** Returns in the long-term window the recent one is compared with. */
  longPeriod: number;
  /** Ascending by `below`; the last band catches every higher ratio. */
  bands: readonly VolatilityBand[];
}

/**
 * Calm markets keep full size and ordinary stops; when recent volatility runs well above its own long-term
 * level, stops widen (so noise does not take them out) and size shrinks (so the wider stop risks no more).
 */
export const DEFAULT_VOLATILITY_REGIME: VolatilityRegimeOptions = {
  shortPeriod: 20,
  longPeriod: 100,
  bands: [
    { below: 0.75, level: 'low', positionScale: 1, stopMultiplier: 1 },
    { below: 1.25, level: 'normal', positionScale: 1, stopMultiplier: 1 },
    { below: 2, level: 'high', positionScale: 0.5, stopMultiplier: 1.25 },
    { below: Number.POSITIVE_INFINITY, level: 'extreme', positionScale: 0.25, stopMultiplier: 1.5 },
  ],
};

/** Maps the ratio of recent to long-term realised volatility onto its band. */
export function classifyVolatility(
  ratio: number,
  bands: readonly VolatilityBand[] = DEFAULT_VOLATILITY_REGIME.bands,
): VolatilityRegime {
  const band = bands.find((b) => ratio < b.below) ?? bands[bands.length - 1];
  if (!band) throw new RangeError('classifyVolatility: no volatility bands configured');
  return { ratio, level: band.level, positionScale: band.positionScale, stopMultiplier: band.stopMultiplier };
}

/** Streams closes into a short and a long realised-volatility window; null until the long one is ready. */
export class VolatilityRegimeTracker {
  readonly options: VolatilityRegimeOptions;
  private readonly recent: RealisedVolatility;
  private readonly longTerm: RealisedVolatility;

  constructor(options: Partial<VolatilityRegimeOptions> = {}) {
    this.options = { ...DEFAULT_VOLATILITY_REGIME, ...options };
    if (this.options.shortPeriod >= this.options.longPeriod) {
      throw new RangeError('VolatilityRegimeTracker: shortPeriod must be below longPeriod');
    }
    this.recent = new RealisedVolatility(this.options.shortPeriod);
    this.longTerm = new RealisedVolatility(this.options.longPeriod);
  }

  update(close: number): VolatilityRegime | null {
    const recent = this.recent.update(close);
    const longTerm = this.longTerm.update(close);
    return this.regimeOf(recent, longTerm);
  }

  get value(): VolatilityRegime | null {
    return this.regimeOf(this.recent.value, this.longTerm.value);
  }

  private regimeOf(recent: number | null, longTerm: number | null): VolatilityRegime | null {
    if (recent === null || longTerm === null) return null;
    // A flat long window (no trades for 100 bars) has no scale to compare with: call it normal.
    const ratio = longTerm === 0 ? 1 : recent / longTerm;
    return classifyVolatility(ratio, this.options.bands);
  }
}
