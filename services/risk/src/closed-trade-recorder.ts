import type { Clock } from '@ballast/contracts';
import { hourExpectancies } from '@ballast/core';
import {
  type ClosedTradeRecord,
  ClosedTradeRepository,
  type Database,
  lockStrategyHourStats,
  type NewClosedTrade,
  StrategyHourStatsRepository,
} from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * Records closed trades and, in the same transaction, recomputes the closing strategy's hour-of-day
 * statistics (strategy_hour_stats, read by the signals service's veto) from every closed trade of that
 * strategy. Recomputed rather than incremented, and only when the trade is new, so a redelivered close
 * counts once. Recomputes of one strategy are serialised (several risk instances may record at once),
 * so the table always equals an aggregate over every committed close. Hours without a closed trade
 * keep their rows (a backtest seed, `ballast hour-stats`).
 */
export class ClosedTradeRecorder {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Off where the statistics must not change during a run (backtests). */
    private readonly hourStats = true,
  ) {}

  all(): Promise<ClosedTradeRecord[]> {
    return new ClosedTradeRepository(this.db).all();
  }

  /** True when this call recorded the trade (a replayed close is ignored). */
  record(trade: NewClosedTrade): Promise<boolean> {
    // Without statistics to keep in step, the one insert is atomic alone: no BEGIN and COMMIT to pay
    // (two of a backtest's three queries per closed trade).
    if (!this.hourStats) return new ClosedTradeRepository(this.db).record(trade);
    return this.db.transaction().execute(async (trx) => {
      const trades = new ClosedTradeRepository(trx);
      const recorded = await trades.record(trade);
      if (recorded && this.hourStats && trade.strategy !== null && trade.entryTime != null) {
        await lockStrategyHourStats(trx, trade.strategy);
        const stats = hourExpectancies(await trades.ofStrategy(trade.strategy));
        await new StrategyHourStatsRepository(trx).upsertMany(stats, new Date(this.clock.now()));
      }
      return recorded;
    });
  }
}
