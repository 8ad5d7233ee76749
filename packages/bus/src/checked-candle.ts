import { type Candle, Timeframe } from '@ballast/contracts';
import { isCount } from './envelope-header-check';
import { isExchange, isNonNegative, isObject, isPositive, isSymbol, oneOf } from './payload-checks';

export const isTimeframe = oneOf(Timeframe.options);

/**
 * The Candle zod would return for `p` (exactly its keys, in its order), checked by hand, or undefined
 * when `p` is not certainly valid: zod then decides and writes the error. Every candle crosses the bus
 * once per consumer in a backtest, and zod's object parse plus refinement cost more than its handlers.
 * `checked-payloads.test.ts` proves the verdicts and results equal on recorded and edited candles.
 */
export function checkedCandle(p: unknown): Candle | undefined {
  if (!isObject(p)) return undefined;
  const { exchange, symbol, timeframe, openTime, closeTime, open, high, low, close, volume } = p;
  if (!isExchange(exchange) || !isSymbol(symbol) || !isTimeframe(timeframe)) return undefined;
  if (!isCount(openTime) || !isCount(closeTime) || closeTime <= openTime) return undefined;
  if (!isPositive(open) || !isPositive(high) || !isPositive(low) || !isPositive(close)) return undefined;
  if (!isNonNegative(volume) || high < low) return undefined;
  if (open > high || close > high || open < low || close < low) return undefined;
  return { exchange, symbol, timeframe, openTime, closeTime, open, high, low, close, volume };
}
