import { BookUpdate, Candle, Trade } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { binanceSpotFeed } from './binance-spot-feed';
import { bybitLinearFeed } from './bybit-linear-feed';
import { checkBookUpdate, checkCandle, checkTrade } from './payload-checks';
import { BINANCE_FRAMES, BYBIT_FRAMES, recordedLines } from './recorded-frames';

// Payloads from binance-spot-ws/2021-04-04_*.frames.jsonl.gz and bybit-v5-ws/2026-08-09_linear_*.frames.jsonl.
const binance = binanceSpotFeed();
const bybit = bybitLinearFeed();
const results = [
  ...recordedLines(BINANCE_FRAMES).flatMap((f) => binance.parseFrame(f)),
  ...recordedLines(BYBIT_FRAMES).flatMap((f) => bybit.parseFrame(f)),
];
const trades = results.flatMap((r) => (r.kind === 'trade' ? [r.payload] : []));
const bookUpdates = results.flatMap((r) => (r.kind === 'book' ? [r.payload] : []));
const candles = results.flatMap((r) => (r.kind === 'candle' ? [r.payload] : []));

/** Edits of one recorded payload that break exactly one rule each. */
function tradeEdits(t: Trade): unknown[] {
  return [
    { ...t, price: Number.NaN },
    { ...t, price: -1 },
    { ...t, price: 0 },
    { ...t, price: Number.POSITIVE_INFINITY },
    { ...t, size: 0 },
    { ...t, size: -t.size },
    { ...t, side: 'hold' },
    { ...t, tradeId: '' },
    { ...t, time: 1.5 },
    { ...t, time: -1 },
    { ...t, symbol: 'BTCUSDT' },
    { ...t, exchange: 'Binance' },
  ];
}

function bookEdits(b: BookUpdate): unknown[] {
  const bid = b.bids[0] ?? [1, 1];
  return [
    { ...b, bids: [[Number.NaN, bid[1]], ...b.bids] },
    { ...b, bids: [[-1, bid[1]]] },
    { ...b, asks: [[bid[0], -1]] },
    { ...b, asks: [[bid[0], Number.POSITIVE_INFINITY]] },
    { ...b, asks: [[bid[0]]] },
    { ...b, bids: [[bid[0], 0]] },
    { ...b, firstUpdateId: null },
    { ...b, firstUpdateId: -1 },
    { ...b, lastUpdateId: Number.NaN },
    { ...b, lastUpdateId: 2 ** 53 },
    { ...b, kind: 'partial' },
    { ...b, time: Number.NaN },
  ];
}

const zodSays = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('hand-rolled payload checks agree with the contracts zod schemas', () => {
  it('on every recorded trade and every single-rule edit of one trade from each venue', () => {
    const cases: unknown[] = [
      ...trades,
      ...tradeEdits(trades[0] as Trade),
      ...tradeEdits(trades.at(-1) as Trade),
    ];
    expect(trades.length).toBe(1910 + 327);
    for (const value of cases) expect(checkTrade(value as Trade) === null).toBe(zodSays(Trade, value));
    expect(cases.filter((v) => checkTrade(v as Trade) !== null)).toHaveLength(24);
  });

  it('on every recorded book update and every single-rule edit', () => {
    const cases: unknown[] = [
      ...bookUpdates,
      ...bookEdits(bookUpdates[0] as BookUpdate),
      ...bookEdits(bookUpdates.at(-1) as BookUpdate),
    ];
    expect(bookUpdates.length).toBe(2688 + 1598);
    for (const value of cases)
      expect(checkBookUpdate(value as BookUpdate) === null).toBe(zodSays(BookUpdate, value));
    // Valid edits: a level of size 0 and a null first id; the other ten break a rule.
    expect(cases.filter((v) => checkBookUpdate(v as BookUpdate) !== null)).toHaveLength(20);
  });

  it('on recorded candles and their edits (these use zod itself)', () => {
    const c = candles[0] as Candle;
    const cases: unknown[] = [
      ...candles,
      { ...c, high: c.low - 1 },
      { ...c, volume: -1 },
      { ...c, closeTime: c.openTime },
    ];
    for (const value of cases) expect(checkCandle(value as Candle) === null).toBe(zodSays(Candle, value));
    expect(candles).toHaveLength(7);
  });
});
