import type { BookLevel, BookUpdate, Trade } from '@ballast/contracts';
import type { FrameResult } from './frame-result';
import { checkBookUpdate, checkTrade } from './payload-checks';
import type { SymbolCache } from './wire-values';

/**
 * One pass over the two Binance frames that arrive by the thousand (combined-stream `depthUpdate` and
 * `aggTrade`), straight into the payload: no JSON.parse tree, no decimal strings, no second pass.
 * It only reads a frame laid out exactly as Binance sends it (no whitespace, Binance's keys in
 * Binance's order, decimals as plain digit strings) and only returns a valid payload; for anything
 * else it returns undefined and the frame takes the generic JSON.parse path, which also names the
 * problem. `binance-hot-frames.test.ts` proves it equals the generic path on every recorded frame and
 * on edited ones.
 */
export function readHotBinanceFrame(raw: string, symbols: SymbolCache): FrameResult | undefined {
  const r = new FrameReader(raw);
  if (!r.literal('{"stream":"') || r.plainString() < 0 || !r.literal('","data":{"e":"')) return undefined;
  if (r.literal('depthUpdate","E":')) return readDepthUpdate(r, symbols);
  if (r.literal('aggTrade","E":')) return readAggTrade(r, symbols);
  return undefined;
}

const VENUE = 'binance';

function readDepthUpdate(r: FrameReader, symbols: SymbolCache): FrameResult | undefined {
  const time = r.integer();
  if (time < 0 || !r.literal(',"s":"')) return undefined;
  const symbol = r.symbol(symbols);
  if (symbol === undefined || !r.literal('","U":')) return undefined;
  const firstUpdateId = r.integer();
  if (firstUpdateId < 0 || !r.literal(',"u":')) return undefined;
  const lastUpdateId = r.integer();
  if (lastUpdateId < 0 || !r.literal(',"b":')) return undefined;
  const bids = r.levels();
  if (bids === undefined || !r.literal(',"a":')) return undefined;
  const asks = r.levels();
  if (asks === undefined || !r.end()) return undefined;
  const payload: BookUpdate = {
    exchange: VENUE,
    symbol,
    kind: 'delta',
    firstUpdateId,
    lastUpdateId,
    bids,
    asks,
    time,
  };
  return checkBookUpdate(payload) === null ? { kind: 'book', payload, sequence: null } : undefined;
}

function readAggTrade(r: FrameReader, symbols: SymbolCache): FrameResult | undefined {
  if (r.integer() < 0 || !r.literal(',"s":"')) return undefined;
  const symbol = r.symbol(symbols);
  if (symbol === undefined || !r.literal('","a":')) return undefined;
  const tradeId = r.integer();
  if (tradeId < 0 || !r.literal(',"p":')) return undefined;
  const price = r.decimal();
  if (!r.literal(',"q":')) return undefined;
  const size = r.decimal();
  if (!r.literal(',"f":') || r.integer() < 0 || !r.literal(',"l":') || r.integer() < 0) return undefined;
  if (!r.literal(',"T":')) return undefined;
  const time = r.integer();
  if (time < 0 || !r.literal(',"m":')) return undefined;
  const buyerIsMaker = r.boolean();
  if (buyerIsMaker === undefined || !r.literal(',"M":') || r.boolean() === undefined || !r.end())
    return undefined;
  const payload: Trade = {
    exchange: VENUE,
    symbol,
    tradeId: String(tradeId),
    price,
    size,
    // m: the buyer is the maker, so the taker sold.
    side: buyerIsMaker ? 'sell' : 'buy',
    time,
  };
  return checkTrade(payload) === null ? { kind: 'trade', payload } : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Up to 15 digits an integer built digit by digit stays exact (below 2^53). */
const MAX_EXACT_DIGITS = 15;
const POW10 = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, i) => 10 ** i);

/** A cursor over one frame; every reader returns a failure value instead of throwing. */
class FrameReader {
  private at = 0;

  constructor(private readonly s: string) {}

  literal(text: string): boolean {
    if (!this.s.startsWith(text, this.at)) return false;
    this.at += text.length;
    return true;
  }

  /** The frame's closing braces and nothing after them. */
  end(): boolean {
    return this.literal('}}') && this.at === this.s.length;
  }

  /** String content up to the closing quote (left unread); -1 on an escape or control character. */
  plainString(): number {
    const start = this.at;
    for (;;) {
      const c = this.s.charCodeAt(this.at);
      if (c === QUOTE) return start;
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) return -1;
      this.at++;
    }
  }

  symbol(symbols: SymbolCache): string | undefined {
    const start = this.plainString();
    return start < 0 ? undefined : symbols.normalise(this.s.slice(start, this.at));
  }

  /** A JSON integer of at most 15 digits without sign or leading zero; -1 otherwise. */
  integer(): number {
    const start = this.at;
    let n = 0;
    for (;;) {
      const c = this.s.charCodeAt(this.at);
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
      this.at++;
    }
    const digits = this.at - start;
    if (digits === 0 || digits > MAX_EXACT_DIGITS) return -1;
    return digits > 1 && this.s.charCodeAt(start) === ZERO ? -1 : n;
  }

  /**
   * A quoted decimal `digits[.digits]`, valued as Number(text) would: with at most 15 digits the
   * integer of all digits and the power of ten are exact, so one division rounds correctly (Clinger's
   * fast path); longer ones go through Number. NaN (refused by every check) for any other text.
   */
  decimal(): number {
    if (this.s.charCodeAt(this.at) !== QUOTE) return Number.NaN;
    const start = ++this.at;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (;;) {
      const c = this.s.charCodeAt(this.at);
      if (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === DOT && fraction < 0 && digits > 0) {
        fraction = 0;
      } else break;
      this.at++;
    }
    if (this.s.charCodeAt(this.at) !== QUOTE || digits === 0 || fraction === 0) return Number.NaN;
    const end = this.at++;
    if (digits > MAX_EXACT_DIGITS) return Number(this.s.slice(start, end));
    return fraction > 0 ? mantissa / (POW10[fraction] as number) : mantissa;
  }

  boolean(): boolean | undefined {
    if (this.literal('true')) return true;
    return this.literal('false') ? false : undefined;
  }

  /** `[["price","size"],…]`; undefined for any other layout. */
  levels(): BookLevel[] | undefined {
    if (!this.literal('[')) return undefined;
    const out: BookLevel[] = [];
    if (this.literal(']')) return out;
    do {
      if (!this.literal('[')) return undefined;
      const price = this.decimal();
      if (!this.literal(',')) return undefined;
      const size = this.decimal();
      if (!this.literal(']')) return undefined;
      out.push([price, size]);
    } while (this.literal(','));
    return this.literal(']') ? out : undefined;
  }
}
