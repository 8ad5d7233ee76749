import type { Candle, Timeframe } from '@ballast/contracts';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../database';
import type { CandlesTable } from '../tables/candles';
import { finite, toNumber } from '../to-number';

/** One candle series: a symbol's bars of one timeframe on one exchange. */
export interface SeriesKey {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

export interface CandleRange extends SeriesKey {
  /** Inclusive, epoch ms. */
  readonly fromOpenTime: number;
  /** Exclusive, epoch ms. */
  readonly toOpenTime: number;
}

/** 10 parameters per row; pg allows 65,535 per statement, and smaller batches keep statements quick. */
const BATCH_SIZE = 1_000;

export class CandleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts or replaces by (exchange, symbol, timeframe, open_time); returns how many rows were written. */
  async upsertMany(candles: readonly Candle[]): Promise<number> {
    const rows = lastPerKey(candles).map(toRow);
    for (let i = 0; i < rows.length; i += BATCH_SIZE) {
      await this.db
        .insertInto('candles')
        .values(rows.slice(i, i + BATCH_SIZE))
        .onConflict((oc) =>
          oc.columns(['exchange', 'symbol', 'timeframe', 'open_time']).doUpdateSet((eb) => ({
            close_time: eb.ref('excluded.close_time'),
            open: eb.ref('excluded.open'),
            high: eb.ref('excluded.high'),
            low: eb.ref('excluded.low'),
            close: eb.ref('excluded.close'),
            volume: eb.ref('excluded.volume'),
          })),
        )
        .execute();
    }
    return rows.length;
  }

  /** Candles with fromOpenTime ≤ open_time < toOpenTime, oldest first. */
  async range(range: CandleRange): Promise<Candle[]> {
    const rows = await this.db
      .selectFrom('candles')
      .selectAll()
      .where('exchange', '=', range.exchange)
      .where('symbol', '=', range.symbol)
      .where('timeframe', '=', range.timeframe)
      .where('open_time', '>=', range.fromOpenTime)
      .where('open_time', '<', range.toOpenTime)
      .orderBy('open_time')
      .execute();
    return rows.map(fromRow);
  }

  /**
   * The newest stored open time of a series, or undefined when it has none (where a backfill starts).
   * With `closedBy`, only candles closing at or before it count: a candle stored from the future (times
   * in another unit) would otherwise stand ahead of every real one.
   */
  async lastOpenTime(series: SeriesKey, closedBy?: number): Promise<number | undefined> {
    let query = this.db
      .selectFrom('candles')
      .select((eb) => eb.fn.max('open_time').as('last'))
      .where('exchange', '=', series.exchange)
      .where('symbol', '=', series.symbol)
      .where('timeframe', '=', series.timeframe);
    if (closedBy !== undefined) query = query.where('close_time', '<=', closedBy);
    const row = await query.executeTakeFirst();
    return row?.last === null || row?.last === undefined ? undefined : toNumber(row.last);
  }

  /**
   * The close of the market's newest candle of any timeframe closed by `closedBy`, and when it closed;
   * undefined when none is stored (what a position is marked at when no live book is at hand).
   */
  async lastClose(
    exchange: string,
    symbol: string,
    closedBy: number,
  ): Promise<{ close: number; closeTime: number } | undefined> {
    const row = await this.db
      .selectFrom('candles')
      .select(['close', 'close_time'])
      .where('exchange', '=', exchange)
      .where('symbol', '=', symbol)
      .where('close_time', '<=', closedBy)
      .orderBy('close_time', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { close: toNumber(row.close), closeTime: toNumber(row.close_time) };
  }

  /** Stored candles of a series closing after `closeTime`: those `lastOpenTime(series, closeTime)` passes over. */
  async countClosingAfter(series: SeriesKey, closeTime: number): Promise<number> {
    const row = await this.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
      .where('exchange', '=', series.exchange)
      .where('symbol', '=', series.symbol)
      .where('timeframe', '=', series.timeframe)
      .where('close_time', '>', closeTime)
      .executeTakeFirstOrThrow();
    return toNumber(row.n);
  }

  /** Stored candles with fromOpenTime ≤ open_time < toOpenTime (what a backfill window already holds). */
  async countRange(range: CandleRange): Promise<number> {
    const row = await this.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
      .where('exchange', '=', range.exchange)
      .where('symbol', '=', range.symbol)
      .where('timeframe', '=', range.timeframe)
      .where('open_time', '>=', range.fromOpenTime)
      .where('open_time', '<', range.toOpenTime)
      .executeTakeFirstOrThrow();
    return toNumber(row.n);
  }

  /** Rows in one series, or in the whole table when no series is given. */
  async count(series?: SeriesKey): Promise<number> {
    let query = this.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'));
    if (series) {
      query = query
        .where('exchange', '=', series.exchange)
        .where('symbol', '=', series.symbol)
        .where('timeframe', '=', series.timeframe);
    }
    const row = await query.executeTakeFirstOrThrow();
    return toNumber(row.n);
  }
}

/** Postgres refuses to update one row twice in one statement: within a batch, the last write wins. */
function lastPerKey(candles: readonly Candle[]): Candle[] {
  const byKey = new Map<string, Candle>();
  for (const c of candles) byKey.set(`${c.exchange}|${c.symbol}|${c.timeframe}|${c.openTime}`, c);
  return [...byKey.values()];
}

function toRow(c: Candle): Insertable<CandlesTable> {
  return {
    exchange: c.exchange,
    symbol: c.symbol,
    timeframe: c.timeframe,
    open_time: finite(c.openTime, 'openTime'),
    close_time: finite(c.closeTime, 'closeTime'),
    open: finite(c.open, 'open'),
    high: finite(c.high, 'high'),
    low: finite(c.low, 'low'),
    close: finite(c.close, 'close'),
    volume: finite(c.volume, 'volume'),
  };
}

function fromRow(row: Selectable<CandlesTable>): Candle {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    // Only Timeframe values are ever written (upsertMany takes a Candle).
    timeframe: row.timeframe as Timeframe,
    openTime: toNumber(row.open_time),
    closeTime: toNumber(row.close_time),
    open: toNumber(row.open),
    high: toNumber(row.high),
    low: toNumber(row.low),
    close: toNumber(row.close),
    volume: toNumber(row.volume),
  };
}
