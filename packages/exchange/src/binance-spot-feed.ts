import { type BookUpdate, type Candle, Timeframe, type Trade, toVenueSymbol } from '@ballast/contracts';
import { readHotBinanceFrame } from './binance-hot-frames';
import { type FrameResult, heardAt, rejected } from './frame-result';
import { checkBookUpdate, checkCandle, checkTrade } from './payload-checks';
import type { FeedChannel, FeedSubscription, VenueFeed, VenueFeedOptions } from './venue-feed';
import { decimal, integer, isRecord, levels, SymbolCache, tradeId } from './wire-values';

const VENUE = 'binance';
const DEFAULT_BASE = 'wss://stream.binance.com:9443';
/** Binance: "A single connection can listen to a maximum of 1024 streams." */
export const BINANCE_MAX_STREAMS = 1024;

const STREAM_SUFFIX: Record<FeedChannel, (timeframe: Timeframe) => string> = {
  candles: (tf) => `kline_${tf}`,
  trades: () => 'aggTrade',
  book: () => 'depth@100ms',
};

/**
 * Binance spot combined streams (`/stream?streams=…`): `kline_<tf>`, `aggTrade`, `depth@100ms`.
 * The URL names every stream, so nothing is sent after connecting; Binance pings and `ws` answers.
 */
export function binanceSpotFeed(options: VenueFeedOptions = {}): VenueFeed {
  const base = options.baseUrl ?? DEFAULT_BASE;
  const symbols = new SymbolCache(options.symbols);
  return {
    venue: VENUE,
    bookSync: 'rest_snapshot',
    market: 'spot',
    maxStreams: BINANCE_MAX_STREAMS,
    heartbeat: null,
    url: (sub) => `${base}/stream?streams=${binanceStreamNames(sub).join('/')}`,
    subscribeMessages: () => [],
    parseFrame: (raw) => parseBinanceFrame(raw, symbols),
  };
}

export function binanceStreamNames(sub: FeedSubscription): string[] {
  return sub.symbols.flatMap((symbol) =>
    sub.channels.map(
      (channel) => `${toVenueSymbol(symbol).toLowerCase()}@${STREAM_SUFFIX[channel](sub.timeframe)}`,
    ),
  );
}

export function parseBinanceFrame(raw: string, symbols: SymbolCache): FrameResult[] {
  const hot = readHotBinanceFrame(raw, symbols);
  return hot ? [hot] : parseBinanceFrameGenerically(raw, symbols);
}

/** Every frame through JSON.parse; the reference the hot reader is tested against. */
export function parseBinanceFrameGenerically(raw: string, symbols: SymbolCache): FrameResult[] {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch (err) {
    return [rejected('malformed_json', (err as Error).message)];
  }
  if (!isRecord(msg)) return [rejected('malformed_json', 'frame is not a JSON object')];
  if ('error' in msg) return [rejected('venue_error', JSON.stringify(msg.error))];
  // Reply to a SUBSCRIBE/LIST request: {"result":null,"id":1}.
  if ('result' in msg && 'id' in msg) return [rejected('ack', `id ${String(msg.id)}`)];
  // Combined streams wrap the event in {stream, data}; a raw stream sends the event itself.
  const event = isRecord(msg.data) ? msg.data : msg;
  const symbol = symbols.normalise(event.s);
  switch (event.e) {
    case 'depthUpdate':
      return [symbol ? mapDepthUpdate(event, symbol) : badSymbol(event.s)];
    case 'aggTrade':
      return [symbol ? mapAggTrade(event, symbol) : badSymbol(event.s)];
    case 'kline':
      return [symbol ? mapKline(event, symbol) : badSymbol(event.s)];
    default:
      return [rejected('unknown_stream', String(msg.stream ?? event.e ?? 'no stream or event type'))];
  }
}

function badSymbol(venueSymbol: unknown): FrameResult {
  return rejected('schema_invalid', `symbol: cannot normalise ${JSON.stringify(venueSymbol)}`);
}

function mapDepthUpdate(e: Record<string, unknown>, symbol: string): FrameResult {
  const payload: BookUpdate = {
    exchange: VENUE,
    symbol,
    kind: 'delta',
    firstUpdateId: integer(e.U),
    lastUpdateId: integer(e.u),
    bids: levels(e.b),
    asks: levels(e.a),
    time: integer(e.E),
  };
  const issue = checkBookUpdate(payload);
  return issue
    ? rejected('schema_invalid', `depthUpdate ${symbol}: ${issue}`)
    : { kind: 'book', payload, sequence: null };
}

function mapAggTrade(e: Record<string, unknown>, symbol: string): FrameResult {
  if (typeof e.m !== 'boolean') return rejected('schema_invalid', `aggTrade ${symbol}: m`);
  const id = tradeId(e.a);
  if (id === undefined) return rejected('schema_invalid', `aggTrade ${symbol}: a`);
  const payload: Trade = {
    exchange: VENUE,
    symbol,
    tradeId: id,
    price: decimal(e.p),
    size: decimal(e.q),
    // m: the buyer is the maker, so the taker sold.
    side: e.m ? 'sell' : 'buy',
    time: integer(e.T),
  };
  const issue = checkTrade(payload);
  return issue ? rejected('schema_invalid', `aggTrade ${symbol}: ${issue}`) : { kind: 'trade', payload };
}

function mapKline(e: Record<string, unknown>, symbol: string): FrameResult {
  const k = e.k;
  if (!isRecord(k)) return rejected('schema_invalid', `kline ${symbol}: k`);
  const timeframe = Timeframe.safeParse(k.i);
  if (!timeframe.success) return rejected('unknown_stream', `kline interval ${JSON.stringify(k.i)}`);
  if (k.x !== true)
    return rejected(
      'candle_not_closed',
      `kline ${symbol} ${timeframe.data} ${String(k.t)}`,
      heardAt(symbol, integer(e.E), { timeframe: timeframe.data, openTime: integer(k.t) }),
    );
  const payload: Candle = {
    exchange: VENUE,
    symbol,
    timeframe: timeframe.data,
    openTime: integer(k.t),
    closeTime: integer(k.T),
    open: decimal(k.o),
    high: decimal(k.h),
    low: decimal(k.l),
    close: decimal(k.c),
    volume: decimal(k.v),
  };
  const issue = checkCandle(payload);
  return issue ? rejected('schema_invalid', `kline ${symbol}: ${issue}`) : { kind: 'candle', payload };
}
