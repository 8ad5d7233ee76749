import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random';

const draw = (random: SeededRandom, n: number): number[] => Array.from({ length: n }, () => random.next());

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw(new SeededRandom(42), 1000)).toEqual(draw(new SeededRandom(42), 1000));
    expect(new SeededRandom(7).bytes(64)).toEqual(new SeededRandom(7).bytes(64));
  });

  it('gives unrelated sequences for neighbouring seeds', () => {
    const a = draw(new SeededRandom(1), 100);
    const b = draw(new SeededRandom(2), 100);
    expect(a.filter((x, i) => x === b[i])).toHaveLength(0);
  });

  it('draws in [0, 1) and spreads evenly over ten buckets', () => {
    const random = new SeededRandom(20_220_101);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    const xs = draw(random, n);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    for (const x of xs) buckets[Math.floor(x * 10)]! += 1;
    // Chi-square with 9 degrees of freedom: 27.88 is the 0.001 critical value.
    const expected = n / 10;
    const chi2 = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('returns exactly the requested number of bytes, using every byte value', () => {
    const random = new SeededRandom(3);
    expect(random.bytes(0)).toHaveLength(0);
    expect(random.bytes(10)).toHaveLength(10);
    const seen = new Set(random.bytes(20_000));
    expect(seen.size).toBe(256);
  });

  it('refuses a seed that is not a safe integer and a bad byte count', () => {
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
    expect(() => new SeededRandom(1).bytes(-1)).toThrow(RangeError);
  });
});
