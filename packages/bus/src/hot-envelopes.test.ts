import {
  type BookUpdate,
  type Envelope,
  EnvelopeHeader,
  type SubjectFamily,
  Subjects,
  type Trade,
} from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { checkOutbound, encodeChecked, wireBytes } from './envelope-codec';
import { checkedHeader } from './envelope-header-check';
import { checkHotEnvelope, payloadJsonOf } from './hot-envelopes';
import { numberedEnvelope } from './numbered-envelope';
import { recordedCandles } from './recorded-candles';

// Payloads mapped plainly (Number of each decimal string) from recorded frames; see /work/shared/data.
const BINANCE = 'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';
const BYBIT_OB500 = 'bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl';
const BYBIT =
  'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl';

type Raw = Record<string, unknown> & { data: Record<string, unknown> & Array<Record<string, unknown>> };
const lines = (file: string): Raw[] =>
  readDataFile(file)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Raw);
const levels = (side: unknown): Array<[number, number]> =>
  (side as string[][]).map(([p, s]) => [Number(p), Number(s)]);
const symbolOf = (venue: string) => `${venue.replace(/USDT$/, '')}-USDT`;

function recordedBooks(): BookUpdate[] {
  const binance = lines(BINANCE)
    .filter((f) => f.data?.e === 'depthUpdate')
    .map(({ data: d }) => ({
      exchange: 'binance',
      symbol: symbolOf(d.s as string),
      kind: 'delta' as const,
      firstUpdateId: d.U as number,
      lastUpdateId: d.u as number,
      bids: levels(d.b),
      asks: levels(d.a),
      time: d.E as number,
    }));
  const bybit = [...lines(BYBIT_OB500), ...lines(BYBIT)]
    .filter((f) => String(f.topic).startsWith('orderbook.'))
    .map((f) => ({
      exchange: 'bybit',
      symbol: symbolOf(f.data.s as string),
      kind: f.type === 'snapshot' ? ('snapshot' as const) : ('delta' as const),
      firstUpdateId: null,
      lastUpdateId: f.data.u as number,
      bids: levels(f.data.b),
      asks: levels(f.data.a),
      time: f.ts as number,
    }));
  return [...binance, ...bybit];
}

function recordedTrades(): Trade[] {
  const binance = lines(BINANCE)
    .filter((f) => f.data?.e === 'aggTrade')
    .map(({ data: d }) => ({
      exchange: 'binance',
      symbol: symbolOf(d.s as string),
      tradeId: String(d.a),
      price: Number(d.p),
      size: Number(d.q),
      side: d.m ? ('sell' as const) : ('buy' as const),
      time: d.T as number,
    }));
  const bybit = lines(BYBIT)
    .filter((f) => String(f.topic).startsWith('publicTrade.'))
    .flatMap((f) => f.data)
    .map((t) => ({
      exchange: 'bybit',
      symbol: symbolOf(t.s as string),
      tradeId: t.i as string,
      price: Number(t.p),
      size: Number(t.v),
      side: t.S === 'Buy' ? ('buy' as const) : ('sell' as const),
      time: t.T as number,
    }));
  return [...binance, ...bybit];
}

/**
 * A payload as the venue readers build it (packages/exchange/src/payload-json.ts): its encoding behind
 * a getter under the shared registry key, invisible to JSON.stringify and zod.
 */
function encodedAsReaders<T>(payload: T): T {
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const copy = { ...(payload as object) };
  Object.defineProperty(copy, Symbol.for('ballast.payloadJson'), { get: () => json });
  return copy as T;
}

/** The header market data sends (correlation id = id, no cause), and odd ones written as text. */
function headerVariant<T>(i: number, e: Envelope<T>): Envelope<T> {
  switch (i % 4) {
    case 0:
      return { ...e, correlationId: e.id, causationId: null };
    case 1:
      return { ...e, correlationId: e.id, causationId: null, source: 'ünïcode "svc"', eventTime: 0 };
    case 2:
      return { ...e, correlationId: e.id, causationId: null, emittedAt: Number.MAX_SAFE_INTEGER };
    default:
      return e;
  }
}

function envelopeOf<T>(family: SubjectFamily<T>, payload: T): Envelope<T> {
  return numberedEnvelope(family, payload, 'market-data');
}

/** The outbound check as it was before the fast path: zod on payload and header. */
function zodChecked<T>(family: SubjectFamily<T>, envelope: Envelope<T>): Envelope<T> | undefined {
  const payload = family.schema.safeParse(envelope.payload);
  const header = EnvelopeHeader.safeParse(envelope);
  if (!payload.success || !header.success) return undefined;
  if (header.data.type !== family.type || header.data.version !== family.version) return undefined;
  return { ...header.data, payload: payload.data };
}

/** The fast path may refuse what zod accepts (zod then decides), never accept what zod refuses. */
function expectSameVerdict<T>(family: SubjectFamily<T>, envelope: Envelope<T>): void {
  const reference = zodChecked(family, envelope);
  const fast = checkHotEnvelope(family, envelope);
  if (fast) {
    expect(reference).toBeDefined();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
    expect(fast).toEqual(reference);
  }
  if (reference) {
    expect(JSON.stringify(checkOutbound(family, envelope))).toBe(JSON.stringify(reference));
  } else {
    expect(() => checkOutbound(family, envelope)).toThrow();
  }
}

const books = recordedBooks();
const trades = recordedTrades();

// Each edit makes one field invalid, unknown or oddly typed.
const bookEdits: Array<(b: BookUpdate) => unknown> = [
  (b) => ({ ...b, exchange: 'Binance' }),
  (b) => ({ ...b, symbol: 'BTCUSDT' }),
  (b) => ({ ...b, kind: 'diff' }),
  (b) => ({ ...b, firstUpdateId: -1 }),
  (b) => ({ ...b, firstUpdateId: 1.5 }),
  (b) => ({ ...b, firstUpdateId: undefined }),
  (b) => ({ ...b, lastUpdateId: 2 ** 53 }),
  (b) => ({ ...b, lastUpdateId: '12' }),
  (b) => ({ ...b, time: Number.NaN }),
  (b) => ({ ...b, bids: [[0, 1]] }),
  (b) => ({ ...b, bids: [[-0, 1]] }),
  (b) => ({ ...b, asks: [[1, -1]] }),
  (b) => ({ ...b, asks: [[1, -0]] }),
  (b) => ({ ...b, asks: [[1, Number.POSITIVE_INFINITY]] }),
  (b) => ({ ...b, asks: [[1, 2, 3]] }),
  (b) => ({ ...b, asks: [[1]] }),
  (b) => ({ ...b, asks: [['1', '2']] }),
  (b) => ({ ...b, bids: {} }),
  (b) => ({ ...b, extra: 'stripped' }),
  (b) => [b],
  () => null,
];
const tradeEdits: Array<(t: Trade) => unknown> = [
  (t) => ({ ...t, tradeId: '' }),
  (t) => ({ ...t, tradeId: 42 }),
  (t) => ({ ...t, tradeId: 'quote"and\\backslash\u2028' }),
  (t) => ({ ...t, price: 0 }),
  (t) => ({ ...t, size: 0 }),
  (t) => ({ ...t, size: Number.NaN }),
  (t) => ({ ...t, side: 'Buy' }),
  (t) => ({ ...t, time: -1 }),
  (t) => ({ ...t, exchange: '' }),
  (t) => ({ ...t, symbol: 'btc-usdt' }),
  (t) => ({ ...t, extra: 1 }),
];
const headerEdits: Array<(e: Envelope<unknown>) => unknown> = [
  (e) => ({ ...e, id: 'not-a-uuid' }),
  (e) => ({ ...e, id: '0190A1B2-C3D4-7E5F-8A9B-00000000000A' }),
  (e) => ({ ...e, id: '00000000-0000-0000-0000-000000000000' }),
  (e) => ({ ...e, type: 'Other' }),
  (e) => ({ ...e, version: 2 }),
  (e) => ({ ...e, eventTime: 1.5 }),
  (e) => ({ ...e, emittedAt: -1 }),
  (e) => ({ ...e, source: '' }),
  (e) => ({ ...e, correlationId: 7 }),
  (e) => ({ ...e, causationId: '' }),
  (e) => ({ ...e, causationId: 'quote"and\n' }),
  (e) => ({ ...e, source: 'ünïcode "svc"' }),
  (e) => ({ ...e, extra: true }),
];

describe(`hot envelope checks equal zod (${BINANCE}, ${BYBIT}, ${BYBIT_OB500})`, () => {
  it('reads enough recorded payloads to mean something', () => {
    expect(books.length).toBeGreaterThan(4_000);
    expect(trades.length).toBeGreaterThan(2_000);
  });

  it('accepts every recorded book and trade with the zod result, encoded to the same text', () => {
    for (const [family, payloads] of [
      [Subjects.book, books],
      [Subjects.trade, trades],
    ] as Array<[SubjectFamily<unknown>, unknown[]]>) {
      for (const payload of payloads) {
        const envelope = envelopeOf(family, payload);
        const fast = checkHotEnvelope(family, envelope);
        const reference = zodChecked(family, envelope);
        expect(fast).toEqual(reference);
        expect(encodeChecked(fast as Envelope<unknown>)).toBe(JSON.stringify(reference));
        expect(encodeChecked(checkOutbound(family, envelope))).toBe(JSON.stringify(reference));
      }
    }
  });

  it('never accepts an edited payload or header that zod refuses, and agrees where zod accepts', () => {
    for (const book of books.filter((_, i) => i % 50 === 0)) {
      for (const edit of bookEdits) expectSameVerdict(Subjects.book, envelopeOf(Subjects.book, edit(book)));
      for (const edit of headerEdits)
        expectSameVerdict(Subjects.book, edit(envelopeOf(Subjects.book, book)) as Envelope<BookUpdate>);
    }
    for (const trade of trades.filter((_, i) => i % 50 === 0)) {
      for (const edit of tradeEdits)
        expectSameVerdict(Subjects.trade, envelopeOf(Subjects.trade, edit(trade) as Trade));
      for (const edit of headerEdits)
        expectSameVerdict(Subjects.trade, edit(envelopeOf(Subjects.trade, trade)) as Envelope<Trade>);
    }
  });

  it('puts keys in schema order and drops unknown ones, as zod does, before encoding', () => {
    const book = books[0] as BookUpdate;
    const shuffled = {
      ...Object.fromEntries(Object.entries(book).reverse()),
      venueSeq: 9,
    } as unknown as BookUpdate;
    const envelope = envelopeOf(Subjects.book, shuffled);
    const checked = checkOutbound(Subjects.book, envelope);
    expect(encodeChecked(checked)).toBe(JSON.stringify(zodChecked(Subjects.book, envelope)));
    expect(encodeChecked(checked)).not.toContain('venueSeq');
  });

  it('sends a payload that carries its own encoding as those bytes, equal to JSON.stringify of the zod result', () => {
    let bytePath = 0;
    for (const [family, payloads] of [
      [Subjects.book, books],
      [Subjects.trade, trades],
    ] as Array<[SubjectFamily<unknown>, unknown[]]>) {
      for (const [i, payload] of payloads.entries()) {
        if (i % 7 !== 0) continue;
        const envelope = headerVariant(i, envelopeOf(family, encodedAsReaders(payload)));
        const reference = zodChecked(family, envelope);
        const checked = checkOutbound(family, envelope);
        expect(payloadJsonOf(checked.payload)).toBeDefined();
        expect(encodeChecked(checked)).toBe(JSON.stringify(reference));
        expect(Buffer.from(wireBytes(checked)).equals(Buffer.from(JSON.stringify(reference), 'utf8'))).toBe(
          true,
        );
        if (envelope.correlationId === envelope.id && envelope.causationId === null) bytePath++;
      }
    }
    expect(bytePath).toBeGreaterThan(100);
  });

  it('still checks the header of a payload that carries its own encoding', () => {
    const envelope = envelopeOf(Subjects.book, encodedAsReaders(books[0]));
    for (const edit of headerEdits) expectSameVerdict(Subjects.book, edit(envelope) as Envelope<BookUpdate>);
  });

  it("checks every family's header by hand with zod's verdict and result (recorded candles)", () => {
    const candle = Subjects.candle as SubjectFamily<unknown>;
    for (const payload of recordedCandles(20)) {
      const envelope = envelopeOf(candle, payload);
      const header = checkedHeader(candle, envelope);
      expect(JSON.stringify(header)).toBe(JSON.stringify(EnvelopeHeader.parse(envelope)));
      for (const edit of headerEdits) {
        const edited = edit(envelope) as Envelope<unknown>;
        if (checkedHeader(candle, edited)) expect(EnvelopeHeader.safeParse(edited).success).toBe(true);
        expectSameVerdict(candle, edited);
      }
    }
  });

  it('leaves other families to zod', () => {
    const candle = Subjects.candle as SubjectFamily<unknown>;
    expect(checkHotEnvelope(candle, envelopeOf(candle, {}))).toBeUndefined();
  });
});
