import { z } from 'zod';
import { EpochMs, ExchangeId, Price, Size, SymbolId, Timeframe } from './primitives';

export const Candle = z
  .object({
    exchange: ExchangeId,
    symbol: SymbolId,
    timeframe: Timeframe,
    openTime: EpochMs,
    closeTime: EpochMs,
    open: Price,
    high: Price,
    low: Price,
    close: Price,
    volume: Size,
  })
  .superRefine((c, ctx) => {
    if (c.high < c.low) ctx.addIssue({ code: 'custom', message: 'high < low', path: ['high'] });
    if (c.open > c.high || c.close > c.high)
      ctx.addIssue({ code: 'custom', message: 'open/close above high', path: ['high'] });
    if (c.open < c.low || c.close < c.low)
      ctx.addIssue({ code: 'custom', message: 'open/close below low', path: ['low'] });
    if (c.closeTime <= c.openTime)
      ctx.addIssue({ code: 'custom', message: 'closeTime <= openTime', path: ['closeTime'] });
  });
export type Candle = z.infer<typeof Candle>;

export const Trade = z.object({
  exchange: ExchangeId,
  symbol: SymbolId,
  tradeId: z.string().min(1),
  price: Price,
  size: z.number().positive(),
  /** Taker side. */
  side: z.enum(['buy', 'sell']),
  time: EpochMs,
});
export type Trade = z.infer<typeof Trade>;

/** [price, size]; size 0 removes the level in a delta. */
export const BookLevel = z.tuple([Price, Size]);
export type BookLevel = z.infer<typeof BookLevel>;

export const BookUpdate = z.object({
  exchange: ExchangeId,
  symbol: SymbolId,
  kind: z.enum(['snapshot', 'delta']),
  firstUpdateId: z.number().int().nonnegative().nullable(),
  lastUpdateId: z.number().int().nonnegative(),
  bids: z.array(BookLevel),
  asks: z.array(BookLevel),
  time: EpochMs,
});
export type BookUpdate = z.infer<typeof BookUpdate>;

export const FeedState = z.enum(['live', 'stale', 'reconnecting', 'resyncing', 'backfilling', 'down']);
export type FeedState = z.infer<typeof FeedState>;

export const FeedStatus = z.object({
  exchange: ExchangeId,
  /** null: the whole connection; otherwise one symbol's feed. */
  symbol: SymbolId.nullable(),
  state: FeedState,
  reason: z.string(),
  lastMessageTime: EpochMs.nullable(),
});
export type FeedStatus = z.infer<typeof FeedStatus>;
