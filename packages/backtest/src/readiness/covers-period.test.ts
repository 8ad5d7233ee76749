import { describe, expect, it } from 'vitest';
import { coversPeriod } from './gather-readiness';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1, 12);
const NOW = START + 40 * DAY;
const bt = (from: number, to: number) => ({ from, to, trades: 5, expectancy: 1, maxDrawdownPct: 2 });

describe('coversPeriod', () => {
  it('counts a backtest that spans the paper period, within a day at either end', () => {
    expect(coversPeriod(bt(START - 12 * 3_600_000, NOW), START, NOW)).toBe(true);
    expect(coversPeriod(bt(START + DAY, NOW - DAY), START, NOW)).toBe(true);
  });

  it('refuses one that starts late or early, ends early or covers another period', () => {
    expect(coversPeriod(bt(START + DAY + 1, NOW), START, NOW)).toBe(false);
    expect(coversPeriod(bt(START - DAY - 1, NOW), START, NOW)).toBe(false);
    expect(coversPeriod(bt(START - 400 * DAY, NOW), START, NOW)).toBe(false);
    expect(coversPeriod(bt(START, NOW - DAY - 1), START, NOW)).toBe(false);
    expect(coversPeriod(bt(START - 400 * DAY, START - 340 * DAY), START, NOW)).toBe(false);
  });
});
