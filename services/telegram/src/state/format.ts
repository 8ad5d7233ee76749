/** Money with two decimals and an explicit sign: `+12.34`, `-5.00`. */
export function signed(n: number): string {
  const fixed = Math.abs(n).toFixed(2);
  return `${n < 0 && fixed !== '0.00' ? '-' : '+'}${fixed}`;
}

/** A price or size without trailing zeros and at most 8 decimals. */
export function num(n: number): string {
  return String(Number(n.toFixed(8)));
}

export function pct(n: number | null): string {
  return n === null ? 'n/a' : `${n >= 0 ? '+' : ''}${n.toFixed(2)}%`;
}

export function utc(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16);
}
