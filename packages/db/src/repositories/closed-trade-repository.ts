import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { finite, toNumber } from '../to-number';

export type ClosedTradeRecord = {
  tradeKey: string;
  strategy: string | null;
  exchange: string;
  symbol: string;
  /** Net of fees. */
  pnl: number;
  /** Fees the trade paid (quote currency). */
  fees: number;
  closeTime: number;
};

/** Closed trades, recorded once per key: the risk service rebuilds its loss streak from them. */
export class ClosedTradeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** True when this call recorded the trade (a replayed close is ignored). */
  async record(trade: Omit<ClosedTradeRecord, 'fees'> & { fees?: number }): Promise<boolean> {
    const row = await this.db
      .insertInto('closed_trades')
      .values({
        trade_key: trade.tradeKey,
        strategy: trade.strategy,
        exchange: trade.exchange,
        symbol: trade.symbol,
        pnl: finite(trade.pnl, 'pnl'),
        fees: finite(trade.fees ?? 0, 'fees'),
        close_time: finite(trade.closeTime, 'closeTime'),
      })
      .onConflict((oc) => oc.column('trade_key').doNothing())
      .returning('trade_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async all(): Promise<ClosedTradeRecord[]> {
    const rows = await this.db.selectFrom('closed_trades').selectAll().orderBy('close_time').execute();
    return rows.map((r) => ({
      tradeKey: r.trade_key,
      strategy: r.strategy,
      exchange: r.exchange,
      symbol: r.symbol,
      pnl: toNumber(r.pnl),
      fees: toNumber(r.fees),
      closeTime: toNumber(r.close_time),
    }));
  }
}
