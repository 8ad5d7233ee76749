import {
  type BookUpdate,
  type Candle,
  type Envelope,
  type FeatureVector,
  type SubjectFamily,
  Subjects,
} from '@ballast/contracts';
import { FeatureEngine } from '@ballast/core';
import { readDataFile, recordedKlines } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { checkedPayload } from './checked-payload';
import { checkOutbound, decodeEnvelope, encodeChecked } from './envelope-codec';
import { numberedEnvelope } from './numbered-envelope';

// Real Binance spot candles (/work/shared/data/binance-spot-ohlcv) and the vectors the features engine
// computes from them: 1h (4h and 1d higher timeframes, warm after ~200 days) and 4h (1d).
const candles: Candle[] = [
  ...recordedKlines('BTCUSDT', '1h', 6_000),
  ...recordedKlines('ETHUSDT', '4h', 1_500),
];
const vectors: FeatureVector[] = (() => {
  const engine = new FeatureEngine();
  return candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);
})();

// Thousands of payloads each checked both ways: seconds on a quiet core, over a minute on a loaded CI box.
const HEAVY_MS = 300_000;
const candle = Subjects.candle as SubjectFamily<unknown>;
const features = Subjects.features as SubjectFamily<unknown>;

function envelopeOf(family: SubjectFamily<unknown>, payload: unknown): Envelope<unknown> {
  return numberedEnvelope(family, payload, 'features');
}

/**
 * The fast check may refuse what zod accepts (zod then decides), never accept what zod refuses; what
 * it accepts equals zod's result, key order included. Outbound and inbound then agree with zod alone.
 */
function expectSameVerdict(family: SubjectFamily<unknown>, payload: unknown): 'fast' | 'zod' {
  const reference = family.schema.safeParse(payload);
  const fast = checkedPayload(family, payload);
  if (fast !== undefined) {
    expect(reference.success).toBe(true);
    expect(fast).toEqual(reference.data);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(reference.data));
  }
  const envelope = envelopeOf(family, payload);
  expect(outcomeOf(() => checkOutbound(family, envelope))).toEqual(
    outcomeOf(() => checkOutbound(zodOnly(family), envelope)),
  );
  if (reference.success) {
    expect(encodeChecked(checkOutbound(family, envelope))).toBe(
      JSON.stringify({ ...envelope, payload: reference.data }),
    );
  }
  const text = JSON.stringify(envelope);
  const decoded = decodeEnvelope(family, text);
  const zodDecoded = decodeEnvelope(zodOnly(family), text);
  expect(decoded).toEqual(zodDecoded);
  expect(JSON.stringify(decoded)).toBe(JSON.stringify(zodDecoded));
  return fast !== undefined ? 'fast' : 'zod';
}

/** The same family under another identity: no hand-written check knows it, so only zod decides. */
const zodOnly = (family: SubjectFamily<unknown>): SubjectFamily<unknown> => ({ ...family });

/** A checked envelope as its text, or what was thrown (class, reason and message): errors must match too. */
function outcomeOf(check: () => Envelope<unknown>): unknown {
  try {
    return { text: encodeChecked(check()) };
  } catch (err) {
    const e = err as Error & { reason?: string };
    return { thrown: e.constructor.name, reason: e.reason, message: e.message };
  }
}

// Each edit makes one field invalid, unknown, oddly typed or oddly shaped.
const candleEdits: Array<(c: Candle) => unknown> = [
  (c) => ({ ...c, open: Number.NaN }),
  (c) => ({ ...c, close: Number.POSITIVE_INFINITY }),
  (c) => ({ ...c, low: -c.low }),
  (c) => ({ ...c, low: 0 }),
  (c) => ({ ...c, low: -0 }),
  (c) => ({ ...c, volume: -1 }),
  (c) => ({ ...c, volume: -0 }),
  (c) => ({ ...c, volume: 0 }),
  (c) => ({ ...c, high: c.low / 2 }),
  (c) => ({ ...c, high: c.low, low: c.high }),
  (c) => ({ ...c, open: c.high * 1.01 }),
  (c) => ({ ...c, close: c.low * 0.99 }),
  (c) => ({ ...c, closeTime: c.openTime }),
  (c) => ({ ...c, openTime: c.openTime + 0.5 }),
  (c) => ({ ...c, openTime: -1 }),
  (c) => ({ ...c, closeTime: 2 ** 53 }),
  (c) => ({ ...c, open: String(c.open) }),
  (c) => ({ ...c, timeframe: '2h' }),
  (c) => ({ ...c, timeframe: '1H' }),
  (c) => ({ ...c, exchange: 'Binance' }),
  (c) => ({ ...c, symbol: 'BTCUSDT' }),
  (c) => ({ ...c, volume: undefined }),
  (c) => {
    const { volume: _, ...rest } = c;
    return rest;
  },
  (c) => ({ ...c, extra: 'stripped' }),
  (c) => Object.fromEntries(Object.entries(c).reverse()),
  (c) => Object.assign(Object.create({ volume: c.volume }), { ...c, volume: undefined }),
  (c) => [c],
  () => null,
  () => 'candle',
];

const withIndicators = (v: FeatureVector, indicators: unknown): unknown => ({ ...v, indicators });
const firstIndicator = (v: FeatureVector): string => Object.keys(v.indicators)[0] as string;
const vectorEdits: Array<(v: FeatureVector) => unknown> = [
  (v) => ({ ...v, close: 0 }),
  (v) => ({ ...v, close: Number.NaN }),
  (v) => ({ ...v, openTime: 1.5 }),
  (v) => ({ ...v, timeframe: '3m' }),
  (v) => ({ ...v, regime: 'sideways' }),
  (v) => ({ ...v, exchange: '1binance' }),
  (v) => ({ ...v, symbol: 'BTC-usdt' }),
  (v) => ({ ...v, extra: 1 }),
  (v) => Object.fromEntries(Object.entries(v).reverse()),
  (v) => withIndicators(v, { ...v.indicators, [firstIndicator(v)]: Number.NaN }),
  (v) => withIndicators(v, { ...v.indicators, [firstIndicator(v)]: Number.NEGATIVE_INFINITY }),
  (v) => withIndicators(v, { ...v.indicators, [firstIndicator(v)]: '1' }),
  (v) => withIndicators(v, { ...v.indicators, [firstIndicator(v)]: undefined }),
  (v) => withIndicators(v, { ...v.indicators, [Symbol('s')]: 1 }),
  (v) => withIndicators(v, { ...v.indicators, 7: 1, '': -2 }),
  (v) => withIndicators(v, Object.defineProperty({ ...v.indicators }, 'hidden', { value: 'x' })),
  (v) => withIndicators(v, Object.defineProperty({ ...v.indicators }, 'constructor', { value: class {} })),
  (v) => withIndicators(v, { ...v.indicators, constructor: 3 }),
  (v) => withIndicators(v, Object.assign(Object.create(null), v.indicators)),
  (v) => withIndicators(v, Object.assign(new (class Indicators {})(), v.indicators)),
  (v) => withIndicators(v, JSON.parse(`{"__proto__":1,"rsi14":2}`)),
  (v) => withIndicators(v, new Map(Object.entries(v.indicators))),
  (v) => withIndicators(v, Object.values(v.indicators)),
  (v) => withIndicators(v, {}),
  (v) => withIndicators(v, null),
  (v) => ({ ...v, volatility: { ...v.volatility, positionScale: 1.5 } }),
  (v) => ({ ...v, volatility: { ...v.volatility, positionScale: -0 } }),
  (v) => ({ ...v, volatility: { ...v.volatility, ratio: -0.1 } }),
  (v) => ({ ...v, volatility: { ...v.volatility, stopMultiplier: 0 } }),
  (v) => ({ ...v, volatility: { ...v.volatility, level: 'medium' } }),
  (v) => ({ ...v, volatility: { ...v.volatility, extra: true } }),
  (v) => ({ ...v, volatility: undefined }),
  (v) => ({ ...v, support: [...v.support, -1] }),
  (v) => ({ ...v, support: [0] }),
  (v) => ({ ...v, support: new Array<number>(2) }),
  (v) => ({ ...v, resistance: { 0: 1 } }),
  (v) => ({ ...v, resistance: [] }),
  (v) => ({ ...v, higherTimeframe: null }),
  (v) => ({ ...v, higherTimeframe: undefined }),
  (v) => ({ ...v, higherTimeframe: { timeframe: '1d', trend: 'sideways', regime: 'choppy' } }),
  (v) => ({ ...v, higherTimeframe: { timeframe: '1d', trend: 'up', regime: 'choppy', extra: 1 } }),
  (v) => ({ ...v, higherTimeframes: undefined }),
  (v) => ({ ...v, higherTimeframes: null }),
  (v) => ({ ...v, higherTimeframes: [{ timeframe: '2d', trend: 'up', regime: 'choppy' }] }),
  (v) => ({ ...v, higherTimeframes: [{ timeframe: '1d', trend: 'up', regime: 'choppy', x: 0 }] }),
  (v) => {
    const { higherTimeframes: _, ...rest } = v;
    return rest;
  },
  (v) => {
    const { indicators: _, ...rest } = v;
    return rest;
  },
  (v) => [v],
];

/** Checks every edit of every 100th sample; returns how many edited payloads zod refused. */
function refusedEdits<T>(
  family: SubjectFamily<unknown>,
  samples: T[],
  edits: Array<(sample: T) => unknown>,
): number {
  let refused = 0;
  for (const sample of samples.filter((_, i) => i % 100 === 0)) {
    for (const edit of edits) {
      const edited = edit(sample);
      if (!family.schema.safeParse(edited).success) refused++;
      expectSameVerdict(family, edited);
    }
  }
  return refused;
}

describe('hand-written md.candle and feat checks equal zod (recorded BTCUSDT 1h, ETHUSDT 4h)', () => {
  it('computes enough real vectors, with and without warm higher timeframes, to mean something', () => {
    expect(candles.length).toBe(7_500);
    expect(vectors.length).toBeGreaterThan(5_000);
    expect(vectors.some((v) => v.higherTimeframe === null)).toBe(true);
    expect(vectors.some((v) => (v.higherTimeframes?.length ?? 0) >= 2)).toBe(true);
  });

  it('accepts every recorded candle and computed vector by hand, with the zod result', {
    timeout: HEAVY_MS,
  }, () => {
    for (const c of candles) expect(expectSameVerdict(candle, c)).toBe('fast');
    for (const v of vectors) expect(expectSameVerdict(features, v)).toBe('fast');
  });

  it('never accepts an edited candle that zod refuses, and agrees where zod accepts', {
    timeout: HEAVY_MS,
  }, () => {
    expect(refusedEdits(candle, candles, candleEdits)).toBeGreaterThan(1_000);
  });

  it('never accepts an edited vector that zod refuses, and agrees where zod accepts', {
    timeout: HEAVY_MS,
  }, () => {
    expect(refusedEdits(features, vectors, vectorEdits)).toBeGreaterThan(1_000);
  });

  it('puts keys in schema order and drops unknown ones, as zod does', () => {
    const v = vectors[vectors.length - 1] as FeatureVector;
    const shuffled = { ...Object.fromEntries(Object.entries(v).reverse()), venueSeq: 9 };
    const checked = checkedPayload(features, shuffled);
    expect(Object.keys(checked as object)).toEqual(Object.keys(v));
    expect(JSON.stringify(checked)).toBe(JSON.stringify(Subjects.features.schema.parse(shuffled)));
  });

  it('returns fresh objects and arrays, as zod does', () => {
    const v = vectors[0] as FeatureVector;
    const checked = checkedPayload(features, v) as FeatureVector;
    expect(checked.indicators).not.toBe(v.indicators);
    expect(checked.volatility).not.toBe(v.volatility);
    expect(checked.support).not.toBe(v.support);
    expect(checked.resistance).not.toBe(v.resistance);
  });

  it('leaves other families to zod', () => {
    expect(checkedPayload(Subjects.trade as SubjectFamily<unknown>, candles[0])).toBeUndefined();
  });
});

// Binance's 1,000-level REST depth snapshots (/work/shared/data/binance-spot-ws, 2021-04-04) as
// market-data publishes them, and a delta made of their top levels with one removed (size 0).
const books: BookUpdate[] = ['BTCUSDT', 'ETHUSDT', 'DOTUSDT'].flatMap((pair): BookUpdate[] => {
  const raw = JSON.parse(readDataFile(`binance-spot-ws/2021-04-04_rest_depth_${pair}_limit1000.json`)) as {
    lastUpdateId: number;
    bids: string[][];
    asks: string[][];
  };
  const levels = (xs: string[][]) => xs.map(([p, q]): [number, number] => [Number(p), Number(q)]);
  const snapshot: BookUpdate = {
    exchange: 'binance',
    symbol: pair.replace('USDT', '-USDT'),
    kind: 'snapshot',
    firstUpdateId: null,
    lastUpdateId: raw.lastUpdateId,
    bids: levels(raw.bids),
    asks: levels(raw.asks),
    time: Date.UTC(2021, 3, 4),
  };
  const [best, ...rest] = snapshot.bids.slice(0, 5);
  const delta: BookUpdate = {
    ...snapshot,
    kind: 'delta',
    firstUpdateId: raw.lastUpdateId + 1,
    lastUpdateId: raw.lastUpdateId + 3,
    bids: [[best![0], 0], ...rest],
    asks: snapshot.asks.slice(0, 5),
  };
  return [snapshot, delta];
});
const book = Subjects.book as SubjectFamily<unknown>;
const withBids = (b: BookUpdate, bids: unknown): unknown => ({ ...b, bids });
const bookEdits: Array<(b: BookUpdate) => unknown> = [
  (b) => withBids(b, [...b.bids, [0, 1]]),
  (b) => withBids(b, [...b.bids, [-1, 1]]),
  (b) => withBids(b, [...b.bids, [1, -0.5]]),
  (b) => withBids(b, [...b.bids, [1, -0]]),
  (b) => withBids(b, [...b.bids, [Number.NaN, 1]]),
  (b) => withBids(b, [...b.bids, [1, Number.POSITIVE_INFINITY]]),
  (b) => withBids(b, [...b.bids, ['1', 1]]),
  (b) => withBids(b, [...b.bids, [1]]),
  (b) => withBids(b, [...b.bids, [1, 1, 1]]),
  (b) => withBids(b, [...b.bids, { 0: 1, 1: 1 }]),
  (b) => withBids(b, [...b.bids, null]),
  (b) => withBids(b, new Array(2)),
  (b) => withBids(b, { 0: b.bids[0] }),
  (b) => withBids(b, []),
  (b) => ({ ...b, asks: undefined }),
  (b) => ({ ...b, kind: 'update' }),
  (b) => ({ ...b, firstUpdateId: -1 }),
  (b) => ({ ...b, firstUpdateId: 1.5 }),
  (b) => ({ ...b, firstUpdateId: undefined }),
  (b) => ({ ...b, lastUpdateId: 2 ** 53 }),
  (b) => ({ ...b, lastUpdateId: null }),
  (b) => ({ ...b, time: -1 }),
  (b) => ({ ...b, exchange: 'Binance' }),
  (b) => ({ ...b, symbol: 'BTCUSDT' }),
  (b) => ({ ...b, extra: 1 }),
  (b) => Object.fromEntries(Object.entries(b).reverse()),
  (b) => [b],
  () => null,
];

describe('hand-written md.book check equals zod (recorded 1,000-level Binance depth snapshots)', () => {
  it('accepts every recorded snapshot and delta by hand, with the zod result', () => {
    expect(books.map((b) => b.bids.length + b.asks.length)).toEqual([2_000, 10, 2_000, 10, 2_000, 10]);
    for (const b of books) expect(expectSameVerdict(book, b)).toBe('fast');
  });

  it('never accepts an edited book that zod refuses, and agrees where zod accepts', () => {
    let refused = 0;
    for (const b of books)
      for (const edit of bookEdits) {
        const edited = edit(b);
        if (!book.schema.safeParse(edited).success) refused++;
        expectSameVerdict(book, edited);
      }
    // All but four: a -0 size, an empty side, an unknown key and another key order are valid.
    expect(refused).toBe(books.length * (bookEdits.length - 4));
  });

  it('returns fresh level arrays, as zod does', () => {
    const b = books[0] as BookUpdate;
    const checked = checkedPayload(book, b) as BookUpdate;
    expect(checked.bids).not.toBe(b.bids);
    expect(checked.asks[0]).not.toBe(b.asks[0]);
  });
});
