import type { FeatureVector } from '@ballast/contracts';

/** Where two vectors differ: categories exactly, numbers beyond 1e-6 relative. */
export function vectorDifferences(a: FeatureVector, b: FeatureVector): string[] {
  const out: string[] = [];
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y), 1e-12);
  for (const [name, value] of Object.entries(a.indicators))
    if (!close(value, b.indicators[name] ?? Number.NaN)) out.push(`${name} ${value} ${b.indicators[name]}`);
  if (Object.keys(a.indicators).length !== Object.keys(b.indicators).length) out.push('indicator names');
  const categories = (v: FeatureVector) =>
    JSON.stringify([
      v.regime,
      v.volatility.level,
      v.higherTimeframe,
      v.higherTimeframes,
      v.support,
      v.resistance,
    ]);
  if (categories(a) !== categories(b)) out.push(`context ${categories(a)} ${categories(b)}`);
  return out;
}
