import type { Candle } from '@ballast/contracts';
import { convergedBars, TrailAtr, trailConfig, trailStop } from '@ballast/core';
import { type StopContext, StopPart } from './stop-context';
import type { StopPlacement } from './stop-placement';
import { type StopRecord, wantedStop } from './stop-record';

/** The stops trail by 2 × ATR(14) (ADR 11). */
const ATR_PERIOD = 14;
/**
 * Stored bars a warm-up reads (202): enough for the ATR's Wilder smoothing to forget where it started
 * (core's convergedBars, as features warms its indicators), so a position reloaded after a restart
 * trails by the ATR a service that ran through has. 42 bars left the start 13 % of its weight: a SOLUSDT
 * 1h position trailed to another stop after a restart than without one.
 */
export const ATR_WARM_UP_BARS = convergedBars(ATR_PERIOD + 1, 1 / ATR_PERIOD);

/**
 * Trails each stop at the close of a TRAIL_TIMEFRAME bar (TRAIL_MODE), by the ATR of that timeframe's
 * bars per symbol, warmed from stored bars so a reloaded position trails at once.
 */
export class Trailing extends StopPart {
  private readonly atr = new Map<string, TrailAtr>();

  constructor(
    ctx: StopContext,
    private readonly placement: StopPlacement,
  ) {
    super(ctx);
  }

  /** The symbol's trailing ATR, started empty when it has none yet. */
  trailAtr(symbol: string): TrailAtr {
    let atr = this.atr.get(symbol);
    if (!atr) {
      atr = new TrailAtr(ATR_PERIOD);
      this.atr.set(symbol, atr);
    }
    return atr;
  }

  /**
   * Fills a symbol's ATR from its newest stored TRAIL_TIMEFRAME bars, so that a position reloaded
   * after a restart, or opened before the stream brought ATR_WARM_UP_BARS bars, trails by the ATR a
   * service that ran through has, at once. Only bars closed by the clock's now are read: a backtest never
   * reads ahead. A failed read is counted and leaves the ATR to the live bars; it never stops the service.
   */
  async warmAtr(symbol: string): Promise<void> {
    const current = this.atr.get(symbol);
    // Ready is not enough: 15 live bars since a start give an ATR that is mostly where it started.
    if (current && current.taken >= ATR_WARM_UP_BARS) return;
    const { config, metrics, log } = this.deps;
    let bars: Candle[];
    try {
      bars = await this.deps.recentBars({
        symbol,
        timeframe: config.TRAIL_TIMEFRAME,
        bars: ATR_WARM_UP_BARS,
        closedBy: this.deps.clock.now(),
      });
    } catch (err) {
      metrics.atrWarmUps.inc({ outcome: 'failed' });
      log.warn(
        { symbol, error: String(err) },
        'trailing ATR not warmed from stored candles; live bars warm it',
      );
      return;
    }
    const warmed = new TrailAtr(ATR_PERIOD);
    for (const bar of bars) warmed.take(bar);
    metrics.atrWarmUps.inc({ outcome: warmed.isReady ? 'warmed' : 'too_few_bars' });
    // Market-data stores each candle before it publishes it: the stored bars hold those seen live, and
    // the ones before them.
    if (!current || (warmed.isReady && (!current.isReady || longer(warmed, current))))
      this.atr.set(symbol, warmed);
  }

  /**
   * Moves the stop behind `price` when it would ratchet by a tick or more; never loosens it. It trails
   * from the stop the record wants (a move still pending included), sized as that.
   */
  async trail(record: StopRecord, price: number): Promise<void> {
    if (this.deps.config.TRAIL_MODE === 'off' || !record.clientOrderId) return;
    const config = trailConfig(this.deps.config);
    const rules = await this.deps.venue.marketRules(record.symbol);
    const atr = this.atr.get(record.symbol)?.value ?? null;
    const wanted = wantedStop(record);
    const next = trailStop(record.side, wanted.stopPrice, price, config, atr, rules.tickSize);
    if (Math.abs(next - wanted.stopPrice) < rules.tickSize / 2) return;
    await this.placement.replace(record, next, wanted.qty, `trailing to ${next} after ${price}`);
  }
}

/** `warmed` took more bars than `current`, up to the same newest one or a later one. */
function longer(warmed: TrailAtr, current: TrailAtr): boolean {
  const newest = (atr: TrailAtr) => atr.lastOpenTime ?? Number.NEGATIVE_INFINITY;
  return warmed.taken > current.taken && newest(warmed) >= newest(current);
}
