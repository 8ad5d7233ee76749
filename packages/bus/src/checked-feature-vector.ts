import {
  type FeatureVector,
  HigherTimeframeTrend,
  MarketRegime,
  type VolatilityRegime,
  VolatilityRegime as VolatilityRegimeSchema,
} from '@ballast/contracts';
import { isTimeframe } from './checked-candle';
import { isCount } from './envelope-header-check';
import {
  type Fields,
  isExchange,
  isNonNegative,
  isNumber,
  isObject,
  isPositive,
  isSymbol,
  oneOf,
} from './payload-checks';

const isRegime = oneOf(MarketRegime.options);
const isLevel = oneOf(VolatilityRegimeSchema.shape.level.options);
const isTrend = oneOf(HigherTimeframeTrend.shape.trend.options);

/**
 * The FeatureVector zod would return for `p` (exactly its keys, in its order; fresh objects and
 * arrays), checked by hand, or undefined when `p` is not certainly valid: zod then decides and writes
 * the error. `checked-payloads.test.ts` proves the verdicts and results equal on vectors the features
 * engine computed from recorded candles, and on edited ones.
 *
 * Unlike zod's, the `indicators` record comes back in V8's fast mode (zod adds its keys one by one,
 * which turns a record of this size into a dictionary): every copy and read of it after is cheaper.
 */
export function checkedFeatureVector(p: unknown): FeatureVector | undefined {
  if (!isObject(p)) return undefined;
  const { exchange, symbol, timeframe, openTime, close, regime } = p;
  if (!isExchange(exchange) || !isSymbol(symbol) || !isTimeframe(timeframe)) return undefined;
  if (!isCount(openTime) || !isPositive(close) || !isRegime(regime)) return undefined;
  const indicators = checkedIndicators(p.indicators);
  const volatility = checkedVolatility(p.volatility);
  const support = checkedPrices(p.support);
  const resistance = checkedPrices(p.resistance);
  if (!indicators || !volatility || !support || !resistance) return undefined;
  const higherTimeframe = p.higherTimeframe === null ? null : checkedTrend(p.higherTimeframe);
  if (higherTimeframe === undefined) return undefined;
  const vector: FeatureVector = {
    exchange,
    symbol,
    timeframe,
    openTime,
    close,
    indicators,
    regime,
    volatility,
    support,
    resistance,
    higherTimeframe,
  };
  // Optional: absent stays absent; present but undefined is left to zod.
  if (!('higherTimeframes' in p)) return vector;
  const higherTimeframes = checkedTrends(p.higherTimeframes);
  return higherTimeframes ? { ...vector, higherTimeframes } : undefined;
}

/**
 * `z.record(z.string(), z.number())`: a plain object (zod's isPlainObject, narrowed to the plain
 * prototype and constructor) whose own enumerable keys are strings with finite numbers. The spread
 * copies exactly those keys (non-enumerable ones are skipped, as zod skips them); a symbol key, which
 * zod refuses, or an own `__proto__`, which zod drops, is left to zod.
 */
function checkedIndicators(v: unknown): Record<string, number> | undefined {
  if (!isObject(v) || Object.getPrototypeOf(v) !== Object.prototype || v.constructor !== Object)
    return undefined;
  const copy: Fields = { ...v };
  for (const key of Reflect.ownKeys(copy)) {
    if (typeof key !== 'string' || key === '__proto__' || !isNumber(copy[key])) return undefined;
  }
  return copy as Record<string, number>;
}

function checkedVolatility(v: unknown): VolatilityRegime | undefined {
  if (!isObject(v)) return undefined;
  const { ratio, level, positionScale, stopMultiplier } = v;
  if (!isNonNegative(ratio) || !isLevel(level) || !isNonNegative(positionScale) || positionScale > 1)
    return undefined;
  if (!isPositive(stopMultiplier)) return undefined;
  return { ratio, level, positionScale, stopMultiplier };
}

function checkedPrices(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  for (let i = 0; i < v.length; i++) if (!isPositive(v[i])) return undefined;
  return v.slice();
}

function checkedTrend(v: unknown): HigherTimeframeTrend | undefined {
  if (!isObject(v)) return undefined;
  const { timeframe, trend, regime } = v;
  if (!isTimeframe(timeframe) || !isTrend(trend) || !isRegime(regime)) return undefined;
  return { timeframe, trend, regime };
}

function checkedTrends(v: unknown): HigherTimeframeTrend[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: HigherTimeframeTrend[] = [];
  for (let i = 0; i < v.length; i++) {
    const trend = checkedTrend(v[i]);
    if (!trend) return undefined;
    out.push(trend);
  }
  return out;
}
