/** `--seed` as a whole number: parseInt read `1.5` as 1 and `abc` as NaN, the run naming no flag. */
export function seedFlag(text: string): number {
  const seed = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(seed))
    throw new Error(`--seed: a whole number, got ${text}`);
  return seed;
}
