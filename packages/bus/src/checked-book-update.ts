import { type BookLevel, type BookUpdate, BookUpdate as BookUpdateSchema } from '@ballast/contracts';
import { isCount } from './envelope-header-check';
import { isExchange, isNonNegative, isObject, isPositive, isSymbol, oneOf } from './payload-checks';

const isKind = oneOf(BookUpdateSchema.shape.kind.options);

/**
 * The BookUpdate zod would return for `p` (exactly its keys, in its order; fresh arrays and levels),
 * checked by hand, or undefined when `p` is not certainly valid: zod then decides and writes the error.
 * A depth snapshot carries up to 1,000 levels a side, and zod's tuple-by-tuple parse of one cost a few
 * milliseconds of every consumer's event loop (risk and orders hold the book for their checks).
 * `checked-payloads.test.ts` proves the verdicts and results equal on recorded and edited snapshots.
 */
export function checkedBookUpdate(p: unknown): BookUpdate | undefined {
  if (!isObject(p)) return undefined;
  const { exchange, symbol, kind, firstUpdateId, lastUpdateId, time } = p;
  if (!isExchange(exchange) || !isSymbol(symbol) || !isKind(kind)) return undefined;
  if ((firstUpdateId !== null && !isCount(firstUpdateId)) || !isCount(lastUpdateId) || !isCount(time))
    return undefined;
  const bids = checkedLevels(p.bids);
  const asks = bids && checkedLevels(p.asks);
  if (!bids || !asks) return undefined;
  return { exchange, symbol, kind, firstUpdateId, lastUpdateId, bids, asks, time };
}

function checkedLevels(levels: unknown): BookLevel[] | undefined {
  if (!Array.isArray(levels)) return undefined;
  const out: BookLevel[] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const level: unknown = levels[i];
    if (!Array.isArray(level) || level.length !== 2) return undefined;
    const [price, size] = level as unknown[];
    if (!isPositive(price) || !isNonNegative(size)) return undefined;
    out[i] = [price, size];
  }
  return out;
}
