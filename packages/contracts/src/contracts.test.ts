import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BookUpdate,
  Candle,
  deadLetterSubject,
  derivedId,
  derivedIds,
  envelopeSchema,
  familyOf,
  KillCommand,
  normaliseSymbol,
  OrderCommand,
  pattern,
  RiskDecision,
  SignalCandidate,
  Subjects,
  subject,
  subjectMatches,
  uuidv7,
} from './index';

// Real candles: ../shared/data/binance-spot-ohlcv/BTCUSDT-4h.csv (first rows).
const dataDir = process.env.BALLAST_DATA_DIR ?? join(import.meta.dirname, '../../../../shared/data');
const csv = readFileSync(join(dataDir, 'binance-spot-ohlcv/BTCUSDT-4h.csv'), 'utf8');
const [, firstRow] = csv.split('\n');
const [openTime, open, high, low, close, volume, closeTime] = firstRow!.split(',');
const realCandle = {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '4h' as const,
  openTime: Number(openTime),
  closeTime: Number(closeTime),
  open: Number(open),
  high: Number(high),
  low: Number(low),
  close: Number(close),
  volume: Number(volume),
};

function issuesOf(result: {
  success: boolean;
  error?: { issues: Array<{ message: string; path: PropertyKey[] }> };
}) {
  return result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
}

describe('Candle schema', () => {
  it('round-trips a real BTCUSDT 4h candle through JSON unchanged', () => {
    const parsed = Candle.parse(JSON.parse(JSON.stringify(realCandle)));
    expect(parsed).toEqual(realCandle);
  });

  it.each([
    ['NaN price', { open: Number.NaN }, 'open'],
    ['Infinity price', { close: Number.POSITIVE_INFINITY }, 'close'],
    ['negative price', { low: -1 }, 'low'],
    ['negative volume', { volume: -0.5 }, 'volume'],
    ['high below low', { high: 4000, low: 4100, open: 4050, close: 4050 }, 'high'],
    ['unknown timeframe', { timeframe: '7m' }, 'timeframe'],
    ['un-normalised symbol', { symbol: 'BTC/USDT' }, 'symbol'],
  ])('rejects a candle with %s', (_name, patch, path) => {
    const result = Candle.safeParse({ ...realCandle, ...patch });
    expect(result.success).toBe(false);
    expect(issuesOf(result).some((i) => i.startsWith(`${path}:`))).toBe(true);
  });
});

describe('other payloads', () => {
  it('rejects a book level with a negative size and accepts zero (level removal)', () => {
    const base = {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      kind: 'delta',
      firstUpdateId: 1,
      lastUpdateId: 2,
      time: 1,
      asks: [],
    };
    expect(BookUpdate.safeParse({ ...base, bids: [[57000.1, 0]] }).success).toBe(true);
    expect(BookUpdate.safeParse({ ...base, bids: [[57000.1, -1]] }).success).toBe(false);
  });

  it('rejects a long candidate whose stop is above its entry', () => {
    const result = SignalCandidate.safeParse({
      id: 'c1',
      strategy: 'trend-pullback',
      setup: 'pullback',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1h',
      side: 'long',
      entry: 100,
      stop: 101,
      takeProfits: [110],
      confidence: 60,
      rank: 1,
      rationale: '',
      veto: null,
    });
    expect(issuesOf(result)).toEqual(['stop: stop on the wrong side of entry']);
  });

  it('refuses a trigger order command: the order manager would send it at market at once', () => {
    const submit = {
      kind: 'submit',
      intentId: 'i-1',
      clientOrderId: 'bl-i-1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'sell',
      type: 'market',
      qty: 0.01,
      price: null,
      triggerPrice: null,
      reduceOnly: true,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    };
    expect(OrderCommand.safeParse(submit).success).toBe(true);
    const stop = OrderCommand.safeParse({ ...submit, type: 'stop_market', triggerPrice: 55_000 });
    expect(stop.success).toBe(false);
    expect(stop.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['triggerPrice', 'type']);
    expect(OrderCommand.safeParse({ ...submit, triggerPrice: 55_000 }).success).toBe(false);
  });

  it('rejects an unknown deny reason', () => {
    const result = RiskDecision.safeParse({
      approved: false,
      candidateId: 'c1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      reason: 'feeling_lucky',
      limit: 1,
      value: 2,
      detail: '',
    });
    expect(result.success).toBe(false);
  });

  it('validates a whole envelope around a payload', () => {
    const schema = envelopeSchema(KillCommand);
    const env = {
      id: uuidv7(1_700_000_000_000, new Uint8Array(10).fill(7)),
      type: 'KillSwitchEngaged',
      version: 1,
      eventTime: 1_700_000_000_000,
      emittedAt: 1_700_000_000_001,
      source: 'cli',
      correlationId: 'corr-1',
      causationId: null,
      payload: { flatten: true, reason: 'test', requestedBy: 'operator' },
    };
    expect(schema.parse(env)).toEqual(env);
    expect(schema.safeParse({ ...env, version: 0 }).success).toBe(false);
  });
});

describe('subjects', () => {
  it('builds the candle subject from its tokens', () => {
    const s = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' });
    expect(s.value).toBe('md.candle.binance.BTC-USDT.1h');
    expect(familyOf(s.value)).toBe(Subjects.candle);
  });

  it('refuses a token that would break the subject hierarchy', () => {
    expect(() => subject(Subjects.trade, { exchange: 'binance', symbol: 'BTC.USDT' })).toThrow(
      /invalid symbol token/,
    );
  });

  it('builds wildcard patterns and matches them like NATS does', () => {
    const p = pattern(Subjects.candle, { exchange: 'binance' });
    expect(p.value).toBe('md.candle.binance.*.*');
    expect(subjectMatches(p.value, 'md.candle.binance.ETH-USDT.4h')).toBe(true);
    expect(subjectMatches(p.value, 'md.candle.bybit.ETH-USDT.4h')).toBe(false);
    expect(subjectMatches('md.>', 'md.candle.bybit.ETH-USDT.4h')).toBe(true);
    expect(subjectMatches('md.candle.*', 'md.candle.binance.ETH-USDT.4h')).toBe(false);
  });

  it('names the dead-letter subject after the original', () => {
    expect(deadLetterSubject('md.candle.binance.BTC-USDT.1h').value).toBe(
      'dlq.md.candle.binance.BTC-USDT.1h',
    );
  });

  it('distinguishes sig.candidate from sig.decision', () => {
    expect(familyOf('sig.decision')).toBe(Subjects.signalDecision);
    expect(familyOf('sig.candidate')).toBe(Subjects.signalCandidate);
  });
});

describe('ids and symbols', () => {
  it('makes time-ordered UUIDv7s', () => {
    const r = new Uint8Array(10).fill(255);
    const a = uuidv7(1_000, r);
    const b = uuidv7(2_000, new Uint8Array(10));
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives the same id from the same inputs and a different one otherwise', () => {
    expect(derivedId('intent-1', 0)).toBe(derivedId('intent-1', 0));
    expect(derivedId('intent-1', 0)).not.toBe(derivedId('intent-1', 1));
    expect(derivedId('x')).toHaveLength(16);
  });

  it('keeps derived ids stable across releases (stored ids and de-duplication depend on them)', () => {
    expect(derivedId()).toBe('811c9dc501000193');
    expect(derivedId('x')).toBe('fd0c5087b09b00c7');
    expect(derivedId('intent-1', 0)).toBe('abbb725d74f49c5f');
    expect(derivedId('feat', 'binance', 'BTC-USDT', '1h', 1546300800000)).toBe('8f3785d5fbc2801b');
    expect(derivedId('ü€', '', 3.5)).toBe('326375b351481f5f');
  });

  it.each([
    [[]],
    [['x']],
    [['intent-1', 0]],
    [['feat', 'binance', 'BTC-USDT', '1h', 1546300800000]],
    [['ü€', '', 3.5]],
  ])('derives ids with suffixes as derivedId of the parts and each suffix (%j)', (parts) => {
    expect(derivedIds(parts, ['a', 'b', ''])).toEqual([
      derivedId(...parts, 'a'),
      derivedId(...parts, 'b'),
      derivedId(...parts, ''),
    ]);
  });

  it.each([
    ['BTC/USDT', 'BTC-USDT'],
    ['btcusdt', 'BTC-USDT'],
    ['ETH-BTC', 'ETH-BTC'],
    ['DOGE_USDT', 'DOGE-USDT'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(normaliseSymbol(raw)).toBe(expected);
  });

  it('refuses a symbol it cannot split', () => {
    expect(() => normaliseSymbol('FOOBAR')).toThrow(/cannot normalise/);
  });
});
