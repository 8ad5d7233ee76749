import {
  type BookLevel,
  type BookUpdate,
  type Envelope,
  type SubjectFamily,
  Subjects,
  type Trade,
} from '@ballast/contracts';
import { checkedHeader, isCount, isText } from './envelope-header-check';
import { type Fields, isExchange, isNonNegative, isObject, isPositive, isSymbol } from './payload-checks';

/**
 * Outbound checking for the families market data publishes thousands of times a second (md.book,
 * md.trade), where zod cost more than parsing the venue frame itself.
 *
 * `checkHotEnvelope` accepts only envelopes that the zod path accepts, and returns what the zod path
 * would (a fresh envelope and payload with exactly the schema's keys, in the schema's order, so the
 * encoded text is the same too); anything it is unsure of returns undefined and goes through zod, which
 * also writes the error. `hot-envelopes.test.ts` proves this on every recorded Binance and Bybit book
 * and trade and on edited bad ones. (A hand-written encoder was measured slower than JSON.stringify.)
 *
 * One difference from zod: the checked payload shares the caller's `bids`/`asks` arrays instead of
 * copying every level; the encoded message is the same, and the payload is only ever read after.
 *
 * A payload that carries its own encoding (`payloadJsonOf`) was built by a venue frame reader that
 * checked it with the contract's rules (`packages/exchange/src/payload-checks.ts`, proven equal to
 * zod) and wrote exactly JSON.stringify of it: only the header is checked here, the payload is shared
 * as it is, and its bytes are sent as they are (validated once; consumers still decode with zod).
 */

/**
 * The registry key under which a payload carries its own JSON encoding (UTF-8 bytes), equal to
 * `packages/exchange/src/payload-json.ts`'s; `Symbol.for`, so neither package imports the other.
 */
const PAYLOAD_JSON = Symbol.for('ballast.payloadJson');

/** The encoding a hot payload carries, if any. */
export function payloadJsonOf(payload: unknown): Uint8Array | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const json = (payload as { [PAYLOAD_JSON]?: unknown })[PAYLOAD_JSON];
  return json instanceof Uint8Array ? json : undefined;
}

export function isHotFamily(family: SubjectFamily<unknown>): boolean {
  return family === Subjects.book || family === Subjects.trade;
}

/** The zod-equal checked envelope for md.book and md.trade, or undefined (not hot, or not certainly valid). */
export function checkHotEnvelope<T>(
  family: SubjectFamily<T>,
  envelope: Envelope<T>,
): Envelope<T> | undefined {
  const hot = family as SubjectFamily<unknown>;
  if (!isHotFamily(hot) || !isObject(envelope)) return undefined;
  const e = envelope as unknown as Fields;
  const header = checkedHeader(hot, e);
  if (!header) return undefined;
  const payload = payloadJsonOf(e.payload)
    ? e.payload
    : hot === Subjects.book
      ? checkedBook(e.payload)
      : checkedTrade(e.payload);
  if (!payload) return undefined;
  return { ...header, payload: payload as T };
}

function checkedTrade(p: unknown): Trade | undefined {
  if (!isObject(p)) return undefined;
  const { exchange, symbol, tradeId, price, size, side, time } = p;
  if (!isExchange(exchange) || !isSymbol(symbol) || !isText(tradeId)) return undefined;
  if (!isPositive(price) || !isPositive(size) || (side !== 'buy' && side !== 'sell') || !isCount(time))
    return undefined;
  return { exchange, symbol, tradeId, price, size, side, time };
}

function checkedBook(p: unknown): BookUpdate | undefined {
  if (!isObject(p)) return undefined;
  const { exchange, symbol, kind, firstUpdateId, lastUpdateId, bids, asks, time } = p;
  if (!isExchange(exchange) || !isSymbol(symbol) || (kind !== 'snapshot' && kind !== 'delta'))
    return undefined;
  if ((firstUpdateId !== null && !isCount(firstUpdateId)) || !isCount(lastUpdateId) || !isCount(time))
    return undefined;
  if (!areLevels(bids) || !areLevels(asks)) return undefined;
  return { exchange, symbol, kind, firstUpdateId, lastUpdateId, bids, asks, time };
}

function areLevels(side: unknown): side is BookLevel[] {
  if (!Array.isArray(side)) return false;
  for (let i = 0; i < side.length; i++) {
    const level: unknown = side[i];
    if (!Array.isArray(level) || level.length !== 2) return false;
    if (!isPositive(level[0]) || !isNonNegative(level[1])) return false;
  }
  return true;
}
