import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../database';
import type { ClosedTradesTable } from '../tables/closed-trades';
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
  /** Epoch ms of the first entry fill; null (as read) or absent when it was not recorded. */
  entryTime?: number | null;
};

/** What recording needs: the fees may be unknown. */
export type NewClosedTrade = Omit<ClosedTradeRecord, 'fees'> & { fees?: number };

/** Closed trades, recorded once per key: the risk service rebuilds its loss streak from them. */
export class ClosedTradeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** True when this call recorded the trade (a replayed close is ignored). */
  async record(trade: NewClosedTrade): Promise<boolean> {
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
        entry_time: trade.entryTime == null ? null : finite(trade.entryTime, 'entryTime'),
      })
      .onConflict((oc) => oc.column('trade_key').doNothing())
      .returning('trade_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async all(): Promise<ClosedTradeRecord[]> {
    const rows = await this.db.selectFrom('closed_trades').selectAll().orderBy('close_time').execute();
    return rows.map(toRecord);
  }

  /** One strategy's trades, by close time. */
  async ofStrategy(strategy: string): Promise<ClosedTradeRecord[]> {
    const rows = await this.db
      .selectFrom('closed_trades')
      .selectAll()
      .where('strategy', '=', strategy)
      .orderBy('close_time')
      .execute();
    return rows.map(toRecord);
  }

  /** True once the trade with this key is on record. */
  async has(tradeKey: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('closed_trades')
      .select('trade_key')
      .where('trade_key', '=', tradeKey)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toRecord(r: Selectable<ClosedTradesTable>): ClosedTradeRecord {
  return {
    tradeKey: r.trade_key,
    strategy: r.strategy,
    exchange: r.exchange,
    symbol: r.symbol,
    pnl: toNumber(r.pnl),
    fees: toNumber(r.fees),
    closeTime: toNumber(r.close_time),
    entryTime: r.entry_time === null ? null : toNumber(r.entry_time),
  };
}
