import { type BookUpdate, Candle, type Trade } from '@ballast/contracts';

/**
 * Hand-rolled checks for the hot payloads, with exactly the rules of the contracts' zod schemas
 * (finite numbers, positive prices, non-negative sizes, safe non-negative integer ids and times).
 * zod costs more than parsing the frame itself at ingest rates; `payload-checks.test.ts` proves both
 * agree on the recorded frames and on edited bad ones. Each returns null when valid, else the issue.
 */

const EXCHANGE = /^[a-z][a-z0-9]*$/;
const SYMBOL = /^[A-Z0-9]+-[A-Z0-9]+$/;

const isPositive = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n > 0;
const isNonNegative = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;
const isCount = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;

function checkHeader(p: { exchange: unknown; symbol: unknown }): string | null {
  if (typeof p.exchange !== 'string' || !EXCHANGE.test(p.exchange)) return 'exchange';
  if (typeof p.symbol !== 'string' || !SYMBOL.test(p.symbol)) return 'symbol';
  return null;
}

export function checkTrade(t: Trade): string | null {
  const header = checkHeader(t);
  if (header) return header;
  if (typeof t.tradeId !== 'string' || t.tradeId.length === 0) return 'tradeId';
  if (!isPositive(t.price)) return 'price';
  if (!isPositive(t.size)) return 'size';
  if (t.side !== 'buy' && t.side !== 'sell') return 'side';
  if (!isCount(t.time)) return 'time';
  return null;
}

function checkLevels(side: unknown, name: 'bids' | 'asks'): string | null {
  if (!Array.isArray(side)) return name;
  for (let i = 0; i < side.length; i++) {
    const level = side[i];
    if (!Array.isArray(level) || level.length !== 2) return `${name}.${i}`;
    if (!isPositive(level[0])) return `${name}.${i}.0`;
    if (!isNonNegative(level[1])) return `${name}.${i}.1`;
  }
  return null;
}

export function checkBookUpdate(b: BookUpdate): string | null {
  const header = checkHeader(b);
  if (header) return header;
  if (b.kind !== 'snapshot' && b.kind !== 'delta') return 'kind';
  if (b.firstUpdateId !== null && !isCount(b.firstUpdateId)) return 'firstUpdateId';
  if (!isCount(b.lastUpdateId)) return 'lastUpdateId';
  return checkLevels(b.bids, 'bids') ?? checkLevels(b.asks, 'asks') ?? (isCount(b.time) ? null : 'time');
}

/** Candles are rare (one per symbol and timeframe a minute at most): the zod schema itself is fine. */
export function checkCandle(c: Candle): string | null {
  const result = Candle.safeParse(c);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
