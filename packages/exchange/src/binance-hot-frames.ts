import { AsciiFrameReader } from './ascii-frame-reader';
import type { FrameResult } from './frame-result';
import { ascii, JsonBytesWriter } from './json-bytes-writer';
import { checkBookUpdate, checkTrade } from './payload-checks';
import { EncodedBookUpdate, EncodedTrade } from './payload-json';
import type { SymbolCache } from './wire-values';

/**
 * One pass over the two Binance frames that arrive by the thousand (combined-stream `depthUpdate` and
 * `aggTrade`), straight into the payload and its JSON encoding (payload-json.ts): no JSON.parse tree,
 * no decimal strings, no second pass, and no number turned back into text when the payload is sent.
 * It only reads a frame laid out exactly as Binance sends it (no whitespace, Binance's keys in
 * Binance's order, decimals as plain digit strings) and only returns a valid payload; for anything
 * else it returns undefined and the frame takes the generic JSON.parse path, which also names the
 * problem. `binance-hot-frames.test.ts` proves it equals the generic path, and the attached encoding
 * equals JSON.stringify of the payload, on every recorded frame and on edited ones.
 */
export function readHotBinanceFrame(raw: string, symbols: SymbolCache): FrameResult | undefined {
  const r = reader;
  if (!r.load(raw) || !r.literal(L.stream) || r.plainString() < 0 || !r.literal(L.data)) return undefined;
  // Every payload byte is either copied from the frame (at most once), a number or a short constant.
  out.start(raw.length * 2 + 256);
  if (r.literal(L.depth)) return readDepthUpdate(r, symbols);
  if (r.literal(L.aggTrade)) return readAggTrade(r, symbols);
  return undefined;
}

const VENUE = 'binance';
const out = new JsonBytesWriter();
const reader = new AsciiFrameReader(out);

// Binance's layout (L) and ours (W), byte for byte.
const L = {
  stream: ascii('{"stream":"'),
  data: ascii('","data":{"e":"'),
  depth: ascii('depthUpdate","E":'),
  aggTrade: ascii('aggTrade","E":'),
  s: ascii(',"s":"'),
  U: ascii('","U":'),
  u: ascii(',"u":'),
  b: ascii(',"b":'),
  a: ascii(',"a":'),
  tradeA: ascii('","a":'),
  p: ascii(',"p":'),
  q: ascii(',"q":'),
  f: ascii(',"f":'),
  l: ascii(',"l":'),
  T: ascii(',"T":'),
  m: ascii(',"m":'),
  M: ascii(',"M":'),
};
const W = {
  exchange: ascii(`{"exchange":"${VENUE}","symbol":"`),
  bookKind: ascii('","kind":"delta","firstUpdateId":'),
  lastUpdateId: ascii(',"lastUpdateId":'),
  bids: ascii(',"bids":'),
  asks: ascii(',"asks":'),
  time: ascii(',"time":'),
  tradeId: ascii('","tradeId":"'),
  price: ascii('","price":'),
  size: ascii(',"size":'),
  sell: ascii(',"side":"sell","time":'),
  buy: ascii(',"side":"buy","time":'),
  end: ascii('}'),
};

function readDepthUpdate(r: AsciiFrameReader, symbols: SymbolCache): FrameResult | undefined {
  const timeAt = r.position;
  const time = r.integer();
  const timeEnd = r.position;
  if (time < 0 || !r.literal(L.s)) return undefined;
  const symbol = r.symbol(symbols);
  if (symbol === undefined || !r.literal(L.U)) return undefined;
  out.bytes(W.exchange);
  out.text(symbol);
  out.bytes(W.bookKind);
  const firstUpdateId = r.integer(true);
  if (firstUpdateId < 0 || !r.literal(L.u)) return undefined;
  out.bytes(W.lastUpdateId);
  const lastUpdateId = r.integer(true);
  if (lastUpdateId < 0 || !r.literal(L.b)) return undefined;
  out.bytes(W.bids);
  const bids = r.levels();
  if (bids === undefined || !r.literal(L.a)) return undefined;
  out.bytes(W.asks);
  const asks = r.levels();
  if (asks === undefined || !r.end()) return undefined;
  out.bytes(W.time);
  r.copy(timeAt, timeEnd);
  out.bytes(W.end);
  const json = out.take();
  if (json === undefined) return undefined;
  const payload = new EncodedBookUpdate(
    VENUE,
    symbol,
    'delta',
    firstUpdateId,
    lastUpdateId,
    bids,
    asks,
    time,
    json,
  );
  return checkBookUpdate(payload) === null ? { kind: 'book', payload, sequence: null } : undefined;
}

function readAggTrade(r: AsciiFrameReader, symbols: SymbolCache): FrameResult | undefined {
  if (r.integer() < 0 || !r.literal(L.s)) return undefined;
  const symbol = r.symbol(symbols);
  if (symbol === undefined || !r.literal(L.tradeA)) return undefined;
  out.bytes(W.exchange);
  out.text(symbol);
  out.bytes(W.tradeId);
  const tradeId = r.integer(true);
  if (tradeId < 0 || !r.literal(L.p)) return undefined;
  out.bytes(W.price);
  const price = r.decimal(true);
  if (!r.literal(L.q)) return undefined;
  out.bytes(W.size);
  const size = r.decimal(true);
  if (!r.literal(L.f) || r.integer() < 0 || !r.literal(L.l) || r.integer() < 0) return undefined;
  if (!r.literal(L.T)) return undefined;
  const timeAt = r.position;
  const time = r.integer();
  const timeEnd = r.position;
  if (time < 0 || !r.literal(L.m)) return undefined;
  const buyerIsMaker = r.boolean();
  if (buyerIsMaker === undefined || !r.literal(L.M) || r.boolean() === undefined || !r.end())
    return undefined;
  // m: the buyer is the maker, so the taker sold.
  const side = buyerIsMaker ? 'sell' : 'buy';
  out.bytes(side === 'sell' ? W.sell : W.buy);
  r.copy(timeAt, timeEnd);
  out.bytes(W.end);
  const json = out.take();
  if (json === undefined) return undefined;
  const payload = new EncodedTrade(VENUE, symbol, String(tradeId), price, size, side, time, json);
  return checkTrade(payload) === null ? { kind: 'trade', payload } : undefined;
}
