import { TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';

/** Where a closed candle stands against the last one accepted for its (exchange, symbol, timeframe). */
export type CandleVerdict =
  | { kind: 'in_order' }
  /** Same open time as the last accepted: already published, drop. */
  | { kind: 'duplicate' }
  /** Older than the last accepted: drop. */
  | { kind: 'out_of_order'; lastOpenTime: number }
  /** Open time not on the timeframe's grid: not a candle we can place, drop. */
  | { kind: 'misaligned'; openTime: number }
  /** Candles are missing before this one: backfill [from, to] (open times, inclusive) first. */
  | { kind: 'gap'; fromOpenTime: number; toOpenTime: number; missing: number };

export interface CandleKey {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  openTime: number;
}

/** Classifies one closed candle given the last accepted open time (null: none yet). */
export function sequenceCandle(
  lastOpenTime: number | null,
  openTime: number,
  timeframe: Timeframe,
): CandleVerdict {
  const step = TIMEFRAME_MS[timeframe];
  if (openTime % step !== 0) return { kind: 'misaligned', openTime };
  if (lastOpenTime === null) return { kind: 'in_order' };
  if (openTime === lastOpenTime) return { kind: 'duplicate' };
  if (openTime < lastOpenTime) return { kind: 'out_of_order', lastOpenTime };
  const missing = (openTime - lastOpenTime) / step - 1;
  if (missing === 0) return { kind: 'in_order' };
  return { kind: 'gap', fromOpenTime: lastOpenTime + step, toOpenTime: openTime - step, missing };
}

/**
 * Remembers the last accepted open time per (exchange, symbol, timeframe). `check` decides;
 * `accept` records once the candle (and any backfill before it) has been published.
 */
export class CandleSequencer {
  private readonly last = new Map<string, number>();

  /** Seeds the position, e.g. from the newest stored candle at start-up. */
  seed(key: Omit<CandleKey, 'openTime'>, lastOpenTime: number): void {
    this.last.set(keyOf(key), lastOpenTime);
  }

  lastOpenTime(key: Omit<CandleKey, 'openTime'>): number | null {
    return this.last.get(keyOf(key)) ?? null;
  }

  check(candle: CandleKey): CandleVerdict {
    return sequenceCandle(this.lastOpenTime(candle), candle.openTime, candle.timeframe);
  }

  /** Records a published candle; never moves the position backwards. */
  accept(candle: CandleKey): void {
    const k = keyOf(candle);
    const prev = this.last.get(k);
    if (prev === undefined || candle.openTime > prev) this.last.set(k, candle.openTime);
  }
}

function keyOf(key: Omit<CandleKey, 'openTime'>): string {
  return `${key.exchange}|${key.symbol}|${key.timeframe}`;
}
