import { type BookUpdate, type Candle, type Timeframe, type Trade, toVenueSymbol } from '@ballast/contracts';
import { type FrameResult, heardAt, rejected } from './frame-result';
import { checkBookUpdate, checkCandle, checkTrade } from './payload-checks';
import type { FeedChannel, FeedSubscription, VenueFeed, VenueFeedOptions } from './venue-feed';
import { decimal, integer, isRecord, levels, SymbolCache, tradeId } from './wire-values';

const VENUE = 'bybit';
const DEFAULT_BASE = 'wss://stream.bybit.com';
const BOOK_DEPTH = 50;
/** Bybit accepts at most 10 topics per subscribe request on some products; stay under it everywhere. */
const TOPICS_PER_REQUEST = 10;

const INTERVAL_OF: Record<Timeframe, string> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '1h': '60',
  '4h': '240',
  '1d': 'D',
};
const TIMEFRAME_OF: Record<string, Timeframe> = Object.fromEntries(
  Object.entries(INTERVAL_OF).map(([tf, interval]) => [interval, tf as Timeframe]),
);

const TAKER_SIDE: Record<string, Trade['side'] | undefined> = { Buy: 'buy', Sell: 'sell' };

const TOPIC: Record<FeedChannel, (venueSymbol: string, timeframe: Timeframe) => string> = {
  candles: (s, tf) => `kline.${INTERVAL_OF[tf]}.${s}`,
  trades: (s) => `publicTrade.${s}`,
  book: (s) => `orderbook.${BOOK_DEPTH}.${s}`,
};

/**
 * Bybit v5 public linear (`/v5/public/linear`): `kline`, `publicTrade`, `orderbook.50`.
 * Topics are subscribed by message; Bybit drops connections without an app-level ping every 20 s.
 * Any other topic (tickers, liquidations…) is `unknown_stream`: this feed never asks for them.
 */
export function bybitLinearFeed(options: VenueFeedOptions = {}): VenueFeed {
  const base = options.baseUrl ?? DEFAULT_BASE;
  const symbols = new SymbolCache(options.symbols);
  return {
    venue: VENUE,
    bookSync: 'stream_snapshot',
    market: 'linear',
    // Topics go in subscribe requests of 10; Bybit documents no per-connection topic limit for public streams.
    maxStreams: null,
    heartbeat: { intervalMs: 20_000, message: JSON.stringify({ op: 'ping' }) },
    url: () => `${base}/v5/public/linear`,
    // Each request names itself (req_id): a refusal echoes it, so the very request can be sent again.
    subscribeMessages: (sub) =>
      chunk(bybitTopics(sub), TOPICS_PER_REQUEST).map((args, i) =>
        JSON.stringify({ op: 'subscribe', req_id: `sub-${i}`, args }),
      ),
    parseFrame: (raw) => parseBybitFrame(raw, symbols),
  };
}

export function bybitTopics(sub: FeedSubscription): string[] {
  return sub.symbols.flatMap((symbol) =>
    sub.channels.map((channel) => TOPIC[channel](toVenueSymbol(symbol), sub.timeframe)),
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function parseBybitFrame(raw: string, symbols: SymbolCache): FrameResult[] {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch (err) {
    return [rejected('malformed_json', (err as Error).message)];
  }
  if (!isRecord(msg)) return [rejected('malformed_json', 'frame is not a JSON object')];
  if (typeof msg.op === 'string') return [controlFrame(msg)];
  if (typeof msg.topic !== 'string') return [rejected('unknown_stream', 'no topic')];
  const parts = msg.topic.split('.');
  const symbol = symbols.normalise(parts[parts.length - 1]);
  if (!symbol) return [rejected('schema_invalid', `topic ${msg.topic}: cannot normalise symbol`)];
  switch (parts[0]) {
    case 'orderbook':
      return [mapOrderbook(msg, symbol)];
    case 'publicTrade':
      return mapPublicTrades(msg, symbol);
    case 'kline':
      return mapKlines(msg, symbol, parts[1]);
    default:
      return [rejected('unknown_stream', msg.topic)];
  }
}

function controlFrame(msg: Record<string, unknown>): FrameResult {
  const detail = `${String(msg.op)} ${String(msg.ret_msg ?? '')}`.trim();
  if (msg.op === 'ping' || msg.op === 'pong') return rejected('heartbeat', detail);
  if (msg.success === false) {
    const request = typeof msg.req_id === 'string' && msg.req_id !== '' ? msg.req_id : undefined;
    return request === undefined
      ? rejected('venue_error', detail)
      : { kind: 'rejected', rejected: 'venue_error', detail, request };
  }
  return rejected('ack', detail);
}

function mapOrderbook(msg: Record<string, unknown>, symbol: string): FrameResult {
  const data = msg.data;
  if (!isRecord(data) || (msg.type !== 'snapshot' && msg.type !== 'delta'))
    return rejected('schema_invalid', `orderbook ${symbol}: data/type`);
  const u = integer(data.u);
  const payload: BookUpdate = {
    exchange: VENUE,
    symbol,
    kind: msg.type,
    // A delta moves u by exactly one, so it covers [u, u]; a snapshot has no first id.
    firstUpdateId: msg.type === 'delta' ? u : null,
    lastUpdateId: u,
    bids: levels(data.b),
    asks: levels(data.a),
    time: integer(msg.ts),
  };
  const issue = checkBookUpdate(payload);
  if (issue) return rejected('schema_invalid', `orderbook ${symbol}: ${issue}`);
  const seq = data.seq === undefined ? null : integer(data.seq);
  if (seq !== null && !Number.isSafeInteger(seq))
    return rejected('schema_invalid', `orderbook ${symbol}: seq`);
  return { kind: 'book', payload, sequence: seq };
}

function mapPublicTrades(msg: Record<string, unknown>, symbol: string): FrameResult[] {
  if (!Array.isArray(msg.data)) return [rejected('schema_invalid', `publicTrade ${symbol}: data`)];
  return msg.data.map((t: unknown): FrameResult => {
    if (!isRecord(t)) return rejected('schema_invalid', `publicTrade ${symbol}: entry`);
    const side = TAKER_SIDE[String(t.S)];
    if (!side) return rejected('schema_invalid', `publicTrade ${symbol}: side`);
    const id = tradeId(t.i);
    if (id === undefined) return rejected('schema_invalid', `publicTrade ${symbol}: i`);
    const payload: Trade = {
      exchange: VENUE,
      symbol,
      tradeId: id,
      price: decimal(t.p),
      size: decimal(t.v),
      side,
      time: integer(t.T),
    };
    const issue = checkTrade(payload);
    return issue ? rejected('schema_invalid', `publicTrade ${symbol}: ${issue}`) : { kind: 'trade', payload };
  });
}

function mapKlines(
  msg: Record<string, unknown>,
  symbol: string,
  interval: string | undefined,
): FrameResult[] {
  const timeframe = interval === undefined ? undefined : TIMEFRAME_OF[interval];
  if (!timeframe) return [rejected('unknown_stream', String(msg.topic))];
  if (!Array.isArray(msg.data)) return [rejected('schema_invalid', `kline ${symbol}: data`)];
  return msg.data.map((k: unknown): FrameResult => {
    if (!isRecord(k)) return rejected('schema_invalid', `kline ${symbol}: entry`);
    if (k.confirm !== true)
      return rejected(
        'candle_not_closed',
        `kline ${symbol} ${timeframe} ${String(k.start)}`,
        heardAt(symbol, integer(msg.ts), { timeframe, openTime: integer(k.start) }),
      );
    const payload: Candle = {
      exchange: VENUE,
      symbol,
      timeframe,
      openTime: integer(k.start),
      closeTime: integer(k.end),
      open: decimal(k.open),
      high: decimal(k.high),
      low: decimal(k.low),
      close: decimal(k.close),
      volume: decimal(k.volume),
    };
    const issue = checkCandle(payload);
    return issue ? rejected('schema_invalid', `kline ${symbol}: ${issue}`) : { kind: 'candle', payload };
  });
}
