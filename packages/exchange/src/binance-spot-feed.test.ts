import { describe, expect, it } from 'vitest';
import { binanceSpotFeed, binanceStreamNames } from './binance-spot-feed';
import type { FrameResult } from './frame-result';
import { BINANCE_FRAMES, recordedLines } from './recorded-frames';

// Reads binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz.
const frames = recordedLines(BINANCE_FRAMES);
const firstOf = (needle: string) => frames.find((f) => f.includes(needle)) as string;
const parse = (raw: string): FrameResult[] => binanceSpotFeed().parseFrame(raw);

function tally(results: FrameResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.kind === 'rejected' ? r.rejected : r.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('binanceSpotFeed.parseFrame on the recorded stream', () => {
  const feed = binanceSpotFeed();
  const results = frames.flatMap((f) => feed.parseFrame(f));

  it('maps all 4,716 frames: 2,688 book diffs, 1,910 trades, 3 closed candles, 115 open klines', () => {
    expect(frames).toHaveLength(4716);
    expect(tally(results)).toEqual({ book: 2688, trade: 1910, candle: 3, candle_not_closed: 115 });
  });

  it('publishes the one closed 1m candle per symbol with its exact values', () => {
    const candles = results.flatMap((r) => (r.kind === 'candle' ? [r.payload] : []));
    expect(candles.map((c) => c.symbol)).toEqual(['BTC-USDT', 'DOT-USDT', 'ETH-USDT']);
    expect(candles[0]).toEqual({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1m',
      openTime: 1617566580000,
      closeTime: 1617566639999,
      open: 57994.6,
      high: 58018.03,
      low: 57974.41,
      close: 57999.99,
      volume: 23.067122,
    });
  });

  it('names the symbol and event time of an open kline, which carries no payload, as proof its stream is alive', () => {
    const open = firstOf('"x":false');
    expect(parse(open)).toEqual([
      {
        kind: 'rejected',
        rejected: 'candle_not_closed',
        detail: 'kline ETH-USDT 1m 1617566580000',
        heard: {
          symbol: 'ETH-USDT',
          time: 1617566591776,
          // The bar it is forming: the venue is past every earlier one.
          openBar: { timeframe: '1m', openTime: 1617566580000 },
        },
      },
    ]);
    // No event time, no proof of when: still not closed, but heard of at no time.
    expect(parse(open.replace('"E":1617566591776,', ''))).toEqual([
      { kind: 'rejected', rejected: 'candle_not_closed', detail: 'kline ETH-USDT 1m 1617566580000' },
    ]);
  });

  it('reads a subscribed market quoted in an asset the normaliser does not know (BTC/TRY)', () => {
    // The recorded BTCUSDT frames, edited to name BTCTRY: 28 Binance spot markets quoted in TRY (2021).
    const feed = binanceSpotFeed({ symbols: ['BTC-TRY'] });
    const asTry = (raw: string) => raw.replaceAll('btcusdt@', 'btctry@').replaceAll('"BTCUSDT"', '"BTCTRY"');
    const trade = feed.parseFrame(asTry(firstOf('"btcusdt@aggTrade"')));
    const diff = feed.parseFrame(asTry(firstOf('"btcusdt@depth')));
    const kline = feed.parseFrame(asTry(firstOf('"btcusdt@kline_1m"')));
    expect(
      [...trade, ...diff].map((r) => [r.kind, r.kind === 'rejected' ? r.detail : r.payload.symbol]),
    ).toEqual([
      ['trade', 'BTC-TRY'],
      ['book', 'BTC-TRY'],
    ]);
    expect(kline).toMatchObject([{ rejected: 'candle_not_closed', heard: { symbol: 'BTC-TRY' } }]);
  });

  it('maps an aggTrade with the taker side from the maker flag', () => {
    expect(parse(firstOf('"aggTrade"'))).toEqual([
      {
        kind: 'trade',
        payload: {
          exchange: 'binance',
          symbol: 'BTC-USDT',
          tradeId: '665076760',
          price: 58001.03,
          size: 0.086205,
          side: 'sell',
          time: 1617566591314,
        },
      },
    ]);
  });

  it('maps a depth diff with its first and last update ids', () => {
    const [result] = parse(frames[0] as string);
    expect(result).toEqual({
      kind: 'book',
      sequence: null,
      payload: {
        exchange: 'binance',
        symbol: 'DOT-USDT',
        kind: 'delta',
        firstUpdateId: 1513939202,
        lastUpdateId: 1513939205,
        bids: [
          [43.5083, 7],
          [43.505, 0],
          [43.4978, 0],
          [43.4909, 180],
        ],
        asks: [],
        time: 1617566591307,
      },
    });
  });

  it('builds the combined-stream names the recording was made with', () => {
    const recorded = new Set(frames.map((f) => (JSON.parse(f) as { stream: string }).stream));
    const built = binanceStreamNames({
      symbols: ['BTC-USDT', 'ETH-USDT', 'DOT-USDT'],
      channels: ['candles', 'trades', 'book'],
      timeframe: '1m',
    });
    expect(new Set(built)).toEqual(new Set([...recorded, 'ethusdt@aggTrade', 'dotusdt@aggTrade']));
    expect(
      binanceSpotFeed({ baseUrl: 'ws://127.0.0.1:9000' }).url({
        symbols: ['BTC-USDT'],
        channels: ['book'],
        timeframe: '1m',
      }),
    ).toBe('ws://127.0.0.1:9000/stream?streams=btcusdt@depth@100ms');
  });
});

describe('binanceSpotFeed.parseFrame on edited frames', () => {
  const trade = firstOf('"aggTrade"');
  const closedKline = firstOf('"x":true');
  const depth = frames[1] as string;

  it.each([
    ['a NaN price', trade.replace('"p":"58001.03000000"', '"p":"NaN"'), 'aggTrade BTC-USDT: price'],
    ['a negative price', trade.replace('"p":"58001.03000000"', '"p":"-1"'), 'aggTrade BTC-USDT: price'],
    ['a zero size', trade.replace('"q":"0.08620500"', '"q":"0"'), 'aggTrade BTC-USDT: size'],
    ['an empty price', trade.replace('"p":"58001.03000000"', '"p":""'), 'aggTrade BTC-USDT: price'],
    ['a missing trade id', trade.replace('"a":665076760,', ''), 'aggTrade BTC-USDT: a'],
    ['a fractional trade id', trade.replace('"a":665076760', '"a":665076760.5'), 'aggTrade BTC-USDT: a'],
    ['an empty trade id', trade.replace('"a":665076760', '"a":""'), 'aggTrade BTC-USDT: a'],
    ['a negative level size', depth.replace('"135.66466600"', '"-1"'), 'depthUpdate BTC-USDT: bids.0.1'],
    ['a missing U', depth.replace('"U":9893032989,', ''), 'depthUpdate BTC-USDT: firstUpdateId'],
    [
      'high below low',
      closedKline.replace('"h":"58018.03000000"', '"h":"57000.00000000"'),
      'kline BTC-USDT: high: high < low',
    ],
    [
      'an unknown quote asset',
      trade.replace(/"s":"BTCUSDT"/, '"s":"BTCXYZ"'),
      'symbol: cannot normalise "BTCXYZ"',
    ],
  ])('rejects %s as schema_invalid', (_name, raw, detail) => {
    expect(parse(raw)).toEqual([{ kind: 'rejected', rejected: 'schema_invalid', detail }]);
  });

  it('rejects a truncated frame as malformed_json', () => {
    const [result] = parse(trade.slice(0, 40));
    expect(result).toMatchObject({ kind: 'rejected', rejected: 'malformed_json' });
  });

  it('rejects an event type it does not map as unknown_stream', () => {
    expect(parse(trade.replace('"e":"aggTrade"', '"e":"trade"'))).toEqual([
      { kind: 'rejected', rejected: 'unknown_stream', detail: 'btcusdt@aggTrade' },
    ]);
  });

  it('treats the reply to a SUBSCRIBE request as an ack and an error reply as venue_error', () => {
    expect(parse('{"result":null,"id":1}')).toEqual([{ kind: 'rejected', rejected: 'ack', detail: 'id 1' }]);
    expect(parse('{"error":{"code":2,"msg":"Invalid request"},"id":2}')).toEqual([
      { kind: 'rejected', rejected: 'venue_error', detail: '{"code":2,"msg":"Invalid request"}' },
    ]);
  });
});
