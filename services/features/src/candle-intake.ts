import { type Candle, type Clock, TIMEFRAME_MS } from '@ballast/contracts';
import { type FeatureEngine, type FeatureOutcome, latestCredibleTime, warmUpReach } from '@ballast/core';
import type { CandleRepository, SeriesKey } from '@ballast/db';
import { type Hole, holesIn } from './holes';

/** One candle the engine consumed for a delivered one, in open-time order. */
export interface IntakeStep {
  candle: Candle;
  outcome: FeatureOutcome;
}

export interface CandleIntakeOptions {
  engine: FeatureEngine;
  candles: CandleRepository;
  clock: Clock;
  /** Stored candles the warm-up passed over as from the future (core's fromFuture). */
  onFromFuture: (series: SeriesKey, count: number, closedBy: number) => void;
  /** Stored candles replayed before a series' first live one. */
  warmUpCandles: (series: SeriesKey) => number;
  /** Each stored candle replayed into the engine, with what it gave (the series' state follows it). */
  onReplayed?: (candle: Candle, outcome: FeatureOutcome) => void;
  /** A hole of at least this many candles starts the series cold after it; undefined: always bridged. */
  coldAfterMissing?: number;
  onHole: (series: SeriesKey, hole: Hole, cold: boolean) => void;
}

/**
 * Puts the engine's state in line with the md.candle stream so that no candle is lost or applied
 * twice, whatever the order of start-up, history read and deliveries:
 * - a series' first delivered candle is preceded by history read strictly before it, so history never
 *   swallows a candle the stream delivers (its vector would be computed but never published);
 * - a delivered candle at or before the newest applied one is a redelivery: the engine skips it;
 * - a delivered candle that skips ahead is preceded by the stored candles in between (market-data stores
 *   a candle before it publishes it); what the database lacks too is a hole, bridged as the backtest
 *   bridges an exchange outage, or, from `coldAfterMissing` candles, the start of a cold series.
 */
export class CandleIntake {
  private readonly live = new Set<string>();
  /** Per series, the newest hole reported (its `before`). */
  private readonly reportedHoles = new Map<string, number>();

  constructor(private readonly options: CandleIntakeOptions) {}

  /**
   * Start-up warm-up from the newest stored candles not from the future; returns how many were replayed.
   * One stored from the future (before market-data guarded against it, or by a backfill) would have the
   * warm-up replay it alone, report the history short and the series' newest vector from years ahead.
   */
  async warm(series: SeriesKey): Promise<number> {
    const closedBy = latestCredibleTime(this.options.clock.now());
    const ahead = await this.options.candles.countClosingAfter(series, closedBy);
    if (ahead > 0) this.options.onFromFuture(series, ahead, closedBy);
    const last = await this.options.candles.lastOpenTime(series, closedBy);
    if (last === undefined) return 0;
    return this.replayBefore(series, last + 1);
  }

  async accept(candle: Candle): Promise<IntakeStep[]> {
    const series = seriesOf(candle);
    const key = seriesKeyOf(series);
    if (!this.live.has(key)) {
      const last = this.options.engine.lastOpenTime(series);
      if (last === undefined || candle.openTime <= last) {
        this.options.engine.reset(series);
        await this.replayBefore(series, candle.openTime);
      }
      this.live.add(key);
    }
    const sequence = await this.withStoredGap(series, candle);
    return sequence.map((c) => ({ candle: c, outcome: this.options.engine.process(c) }));
  }

  /** The candle, preceded by whatever the database holds between the series' newest one and it. */
  private async withStoredGap(series: SeriesKey, candle: Candle): Promise<Candle[]> {
    const step = TIMEFRAME_MS[series.timeframe];
    const last = this.options.engine.lastOpenTime(series);
    if (last === undefined || candle.openTime <= last + step) return [candle];
    const stored = await this.options.candles.range({
      ...series,
      fromOpenTime: last + step,
      toOpenTime: candle.openTime,
    });
    return this.afterColdHole(series, last, [...stored, candle]);
  }

  /**
   * The candles the engine must consume from `sequence` (ascending, after `previous`): all of them, or,
   * after a hole of at least `coldAfterMissing`, only those after it (the series restarts cold). Every
   * hole is reported once, whether it is found in the stream or in history replayed at start-up.
   */
  private afterColdHole(series: SeriesKey, previous: number, sequence: Candle[]): Candle[] {
    const step = TIMEFRAME_MS[series.timeframe];
    const key = seriesKeyOf(series);
    const reportedUpTo = this.reportedHoles.get(key) ?? Number.NEGATIVE_INFINITY;
    const holes = holesIn(
      previous,
      sequence.map((c) => c.openTime),
      step,
    );
    const { coldAfterMissing } = this.options;
    let coldFrom: number | null = null;
    for (const hole of holes) {
      const cold = coldAfterMissing !== undefined && hole.missing >= coldAfterMissing;
      if (cold) coldFrom = hole.before;
      // A redelivery replays the same history again: its holes were already reported.
      if (hole.before <= reportedUpTo) continue;
      this.reportedHoles.set(key, hole.before);
      this.options.onHole(series, hole, cold);
    }
    if (coldFrom === null) return sequence;
    this.options.engine.reset(series);
    return sequence.filter((c) => c.openTime >= (coldFrom as number));
  }

  /**
   * Replays the newest `warmUpCandles` stored candles before `toOpenTime`, looking back the budget plus the
   * margin for the venue's outages (core's warmUpReach, which `ballast backfill --warm-up` fetches): a
   * count of candles, not a span of slots, so a history with the venue's holes in it is still whole.
   */
  private async replayBefore(series: SeriesKey, toOpenTime: number): Promise<number> {
    const count = this.options.warmUpCandles(series);
    const fromOpenTime = toOpenTime - warmUpReach(count) * TIMEFRAME_MS[series.timeframe];
    const stored = (await this.options.candles.range({ ...series, fromOpenTime, toOpenTime })).slice(-count);
    const first = stored[0];
    if (first === undefined) return 0;
    // History obeys the cold rule as the stream does, or a restart would bridge a hole a running
    // instance went cold over (and publish at once where it stays silent).
    const previous = first.openTime - TIMEFRAME_MS[series.timeframe];
    for (const c of this.afterColdHole(series, previous, stored)) {
      const outcome = this.options.engine.process(c);
      this.options.onReplayed?.(c, outcome);
    }
    return stored.length;
  }
}

function seriesKeyOf(s: SeriesKey): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}

function seriesOf(c: Candle): SeriesKey {
  return { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe };
}
