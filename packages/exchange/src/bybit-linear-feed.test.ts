import { describe, expect, it } from 'vitest';
import { bybitLinearFeed, bybitTopics } from './bybit-linear-feed';
import type { FrameResult } from './frame-result';
import { BYBIT_FRAMES, BYBIT_XRP_OB500, recordedLines } from './recorded-frames';

// Reads bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl
// and bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl.
const frames = recordedLines(BYBIT_FRAMES);
const firstOf = (needle: string) => frames.find((f) => f.includes(needle)) as string;
const parse = (raw: string): FrameResult[] => bybitLinearFeed().parseFrame(raw);

function tally(results: FrameResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.kind === 'rejected' ? r.rejected : r.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('bybitLinearFeed.parseFrame on the recorded stream', () => {
  const feed = bybitLinearFeed();
  const results = frames.flatMap((f) => feed.parseFrame(f));

  it('maps every frame: books, trades, closed candles; tickers are unknown_stream by design', () => {
    expect(frames).toHaveLength(2546);
    expect(tally(results)).toEqual({
      book: 1598,
      trade: 327,
      candle: 4,
      candle_not_closed: 71,
      ack: 17,
      unknown_stream: 758,
    });
    const unknown = results.filter((r) => r.kind === 'rejected' && r.rejected === 'unknown_stream');
    expect(unknown.every((r) => r.kind === 'rejected' && r.detail.startsWith('tickers.'))).toBe(true);
  });

  it('publishes only the confirmed kline from a frame that also carries the next open one', () => {
    expect(parse(firstOf('"confirm":true'))).toEqual([
      {
        kind: 'candle',
        payload: {
          exchange: 'bybit',
          symbol: 'ETH-USDT',
          timeframe: '1m',
          openTime: 1786310760000,
          closeTime: 1786310819999,
          open: 1922.43,
          high: 1922.48,
          low: 1922.42,
          close: 1922.48,
          volume: 15.7,
        },
      },
      {
        kind: 'rejected',
        rejected: 'candle_not_closed',
        detail: 'kline ETH-USDT 1m 1786310820000',
        // The frame's ts: the open kline is no payload but proves the symbol's stream alive.
        heard: {
          symbol: 'ETH-USDT',
          time: 1786310820123,
          openBar: { timeframe: '1m', openTime: 1786310820000 },
        },
      },
    ]);
  });

  it('maps a publicTrade entry with its taker side', () => {
    expect(parse(firstOf('"publicTrade.BTCUSDT"'))).toEqual([
      {
        kind: 'trade',
        payload: {
          exchange: 'bybit',
          symbol: 'BTC-USDT',
          tradeId: 'a9188a0a-82bc-50de-be60-03eedbe3cdd7',
          price: 65114.2,
          size: 0.004,
          side: 'sell',
          time: 1786310819680,
        },
      },
    ]);
  });

  it('maps an orderbook delta with u as its update ids and seq as the sequence', () => {
    const [result] = parse(firstOf('"orderbook.200.BTCUSDT","type":"delta"'));
    expect(result).toMatchObject({
      kind: 'book',
      sequence: 753843913870,
      payload: {
        symbol: 'BTC-USDT',
        kind: 'delta',
        firstUpdateId: 15076953,
        lastUpdateId: 15076953,
        time: 1786310818130,
      },
    });
    expect(result?.kind === 'book' && result.payload.asks[0]).toEqual([65116.6, 0]);
  });

  it('maps the 500-level XRPUSDT snapshot with no first update id', () => {
    const [result] = parse(recordedLines(BYBIT_XRP_OB500)[0] as string);
    expect(result).toMatchObject({
      kind: 'book',
      sequence: 130020238981,
      payload: { symbol: 'XRP-USDT', kind: 'snapshot', firstUpdateId: null, lastUpdateId: 20254869 },
    });
    expect(result?.kind === 'book' && [result.payload.bids.length, result.payload.asks.length]).toEqual([
      500, 500,
    ]);
  });

  it('builds subscribe messages of at most 10 topics', () => {
    const sub = {
      symbols: ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'DOGE-USDT'],
      channels: ['candles', 'trades', 'book'] as const,
      timeframe: '1m' as const,
    };
    expect(bybitTopics(sub).slice(0, 3)).toEqual([
      'kline.1.BTCUSDT',
      'publicTrade.BTCUSDT',
      'orderbook.50.BTCUSDT',
    ]);
    const messages = bybitLinearFeed()
      .subscribeMessages(sub)
      .map((m) => JSON.parse(m) as { op: string; args: string[] });
    expect(messages.map((m) => m.args.length)).toEqual([10, 2]);
    expect(messages[0]?.op).toBe('subscribe');
  });

  it('names each subscribe request, and a refusal of one by that name, so it can be sent again', () => {
    const sub = { symbols: ['BTC-USDT'], channels: ['candles', 'trades'] as const, timeframe: '1m' as const };
    const [message] = bybitLinearFeed().subscribeMessages(sub);
    expect(JSON.parse(message!)).toEqual({
      op: 'subscribe',
      req_id: 'sub-0',
      args: ['kline.1.BTCUSDT', 'publicTrade.BTCUSDT'],
    });
    // The recorded ack, edited into the refusal of that request.
    const refused = firstOf('"op":"subscribe"')
      .replace('"success":true,"ret_msg":""', '"success":false,"ret_msg":"Invalid topic"')
      .replace('"req_id":""', '"req_id":"sub-0"');
    expect(parse(refused)).toEqual([
      { kind: 'rejected', rejected: 'venue_error', detail: 'subscribe Invalid topic', request: 'sub-0' },
    ]);
  });
});

describe('bybitLinearFeed.parseFrame on edited frames', () => {
  const trade = firstOf('"publicTrade.BTCUSDT"');
  const delta = firstOf('"orderbook.200.BTCUSDT","type":"delta"');
  const kline = firstOf('"kline.1.BTCUSDT"').replace('"confirm":false', '"confirm":true');

  it.each([
    ['a NaN trade price', trade.replace('"p":"65114.20"', '"p":"NaN"'), 'publicTrade BTC-USDT: price'],
    ['a negative trade size', trade.replace('"v":"0.004"', '"v":"-1"'), 'publicTrade BTC-USDT: size'],
    ['an unknown taker side', trade.replace('"S":"Sell"', '"S":"Hold"'), 'publicTrade BTC-USDT: side'],
    [
      'a missing trade id',
      trade.replace('"i":"a9188a0a-82bc-50de-be60-03eedbe3cdd7",', ''),
      'publicTrade BTC-USDT: i',
    ],
    [
      'an object trade id',
      trade.replace('"i":"a9188a0a-82bc-50de-be60-03eedbe3cdd7"', '"i":{}'),
      'publicTrade BTC-USDT: i',
    ],
    ['a negative level price', delta.replace('"65095.30"', '"-1"'), 'orderbook BTC-USDT: bids.0.0'],
    ['a missing u', delta.replace('"u":15076953,', ''), 'orderbook BTC-USDT: firstUpdateId'],
    [
      'high below low',
      kline.replace('"high":"65119.9"', '"high":"65000.0"'),
      'kline BTC-USDT: high: high < low',
    ],
  ])('rejects %s as schema_invalid', (_name, raw, detail) => {
    expect(parse(raw)).toEqual([{ kind: 'rejected', rejected: 'schema_invalid', detail }]);
  });

  it('rejects a truncated frame as malformed_json', () => {
    expect(parse(trade.slice(0, 30))[0]).toMatchObject({ kind: 'rejected', rejected: 'malformed_json' });
  });

  it('tells a failed subscription apart from an ack, and a pong from both', () => {
    const ack = firstOf('"op":"subscribe"');
    expect(parse(ack)).toEqual([{ kind: 'rejected', rejected: 'ack', detail: 'subscribe' }]);
    const failed = ack.replace('"success":true,"ret_msg":""', '"success":false,"ret_msg":"Invalid topic"');
    expect(parse(failed)).toEqual([
      { kind: 'rejected', rejected: 'venue_error', detail: 'subscribe Invalid topic' },
    ]);
    const pong = ack.replace('"ret_msg":""', '"ret_msg":"pong"').replace('"op":"subscribe"', '"op":"ping"');
    expect(parse(pong)).toEqual([{ kind: 'rejected', rejected: 'heartbeat', detail: 'ping pong' }]);
  });
});
