import {
  type BookLevel,
  type BookUpdate,
  type Envelope,
  type SubjectFamily,
  Subjects,
  type Trade,
} from '@ballast/contracts';
import { z } from 'zod';

/**
 * Outbound checking and encoding for the families market data publishes thousands of times a second
 * (md.book, md.trade), where zod and JSON.stringify cost more than the venue parsing itself.
 *
 * `checkHotEnvelope` accepts only envelopes that the zod path accepts, and returns what the zod path
 * would (a fresh envelope and payload with exactly the schema's keys, in the schema's order); anything
 * it is unsure of returns undefined and goes through zod, which also writes the error. `encodeHot`
 * writes what JSON.stringify writes for such a checked envelope. `hot-envelopes.test.ts` proves both
 * on every recorded Binance and Bybit book and trade frame and on edited bad ones.
 *
 * One difference from zod: the checked payload shares the caller's `bids`/`asks` arrays instead of
 * copying every level; the encoded message is the same, and the payload is only ever read after.
 */

const UUID = z.regexes.uuid();
// The contracts' ExchangeId and SymbolId patterns.
const EXCHANGE = /^[a-z][a-z0-9]*$/;
const SYMBOL = /^[A-Z0-9]+-[A-Z0-9]+$/;

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isExchange = (v: unknown): v is string => typeof v === 'string' && EXCHANGE.test(v);
const isSymbol = (v: unknown): v is string => typeof v === 'string' && SYMBOL.test(v);

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
  const { id, type, version, eventTime, emittedAt, source, correlationId, causationId } = e;
  if (typeof id !== 'string' || !UUID.test(id)) return undefined;
  if (type !== hot.type || version !== hot.version) return undefined;
  if (!isCount(eventTime) || !isCount(emittedAt) || !isText(source) || !isText(correlationId))
    return undefined;
  if (causationId !== null && !isText(causationId)) return undefined;
  const payload = hot === Subjects.book ? checkedBook(e.payload) : checkedTrade(e.payload);
  if (!payload) return undefined;
  return {
    id,
    type,
    version,
    eventTime,
    emittedAt,
    source,
    correlationId,
    causationId,
    payload: payload as T,
  };
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

/**
 * JSON.stringify of an envelope that `checkOutbound` returned for a hot family (either path), or
 * undefined for other families. Only checked envelopes have the exact keys, order and finite numbers
 * this relies on.
 */
export function encodeHot<T>(family: SubjectFamily<T>, checked: Envelope<T>): string | undefined {
  const hot = family as SubjectFamily<unknown>;
  if (hot === Subjects.book) return header(checked) + book(checked.payload as BookUpdate);
  if (hot === Subjects.trade) return header(checked) + trade(checked.payload as Trade);
  return undefined;
}

// A UUID, venue id, symbol or enum value never needs escaping; free text goes through JSON.stringify.
function header(e: Envelope<unknown>): string {
  return (
    `{"id":"${e.id}","type":${JSON.stringify(e.type)},"version":${e.version},` +
    `"eventTime":${e.eventTime},"emittedAt":${e.emittedAt},"source":${JSON.stringify(e.source)},` +
    `"correlationId":${JSON.stringify(e.correlationId)},` +
    `"causationId":${e.causationId === null ? 'null' : JSON.stringify(e.causationId)},"payload":`
  );
}

function trade(t: Trade): string {
  return (
    `{"exchange":"${t.exchange}","symbol":"${t.symbol}","tradeId":${JSON.stringify(t.tradeId)},` +
    `"price":${t.price},"size":${t.size},"side":"${t.side}","time":${t.time}}}`
  );
}

function book(b: BookUpdate): string {
  return (
    `{"exchange":"${b.exchange}","symbol":"${b.symbol}","kind":"${b.kind}",` +
    `"firstUpdateId":${b.firstUpdateId},"lastUpdateId":${b.lastUpdateId},` +
    `"bids":${levels(b.bids)},"asks":${levels(b.asks)},"time":${b.time}}}`
  );
}

function levels(side: BookLevel[]): string {
  if (side.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < side.length; i++) {
    const level = side[i] as BookLevel;
    out += `${i === 0 ? '' : ','}[${level[0]},${level[1]}]`;
  }
  return `${out}]`;
}
