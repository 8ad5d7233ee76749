/**
 * Exact decimal arithmetic for balances and fills: bigint units of 1e-8, the precision Binance
 * reports every spot asset in. Floats would drift and break "balance equals hand computation".
 */
export type Units = bigint;

export const DECIMALS = 8;
const SCALE = 10n ** BigInt(DECIMALS);

export class DecimalParseError extends Error {
  readonly reason = 'invalid_decimal';
  constructor(readonly input: string) {
    super(`not a decimal with at most ${DECIMALS} fractional digits: ${JSON.stringify(input)}`);
  }
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string; digits beyond the 8th are rounded half-up (candle volumes carry float noise). */
export function toUnits(text: string): Units {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) throw new DecimalParseError(text);
  const [, sign, int = '0', frac = ''] = m;
  const kept = BigInt(int) * SCALE + BigInt((frac.slice(0, DECIMALS) || '0').padEnd(DECIMALS, '0'));
  const roundUp = frac.length > DECIMALS && Number(frac[DECIMALS]) >= 5 ? 1n : 0n;
  const value = kept + roundUp;
  return sign ? -value : value;
}

/** Formats with exactly 8 fractional digits, as Binance prints prices, quantities and balances. */
export function formatUnits(value: Units): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const int = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(DECIMALS, '0');
  return `${negative ? '-' : ''}${int}.${frac}`;
}

/** a × b, rounded half-up to 1e-8. */
export function mulUnits(a: Units, b: Units): Units {
  const product = a * b;
  const half = SCALE / 2n;
  return product >= 0n ? (product + half) / SCALE : -((-product + half) / SCALE);
}

/** a ÷ b, truncated toward zero to 1e-8. */
export function divUnits(a: Units, b: Units): Units {
  return (a * SCALE) / b;
}

export function minUnits(a: Units, b: Units): Units {
  return a < b ? a : b;
}

export function maxUnits(a: Units, b: Units): Units {
  return a < b ? b : a;
}

/** Canonical Binance formatting of any decimal string ("4261.48" → "4261.48000000"). */
export function binanceDecimal(text: string): string {
  return formatUnits(toUnits(text));
}
