import { describe, expect, it } from 'vitest';
import { StopHistory } from './stop-history';

// The 2021-05-19 00:00 UTC hour; stop prices about a real SOLUSDT price of the day.
const open = Date.UTC(2021, 4, 19);

describe('StopHistory', () => {
  it('judges a price printed since a bar opened by the loosest stop in force since then', () => {
    const history = new StopHistory();
    expect(history.crossedSince('p', 'long', open, 40)).toBe(true);
    history.note('p', 38, open - 7_200_000);
    history.note('p', 38, open - 3_600_000);
    // A take-profit moved the stop to breakeven 20 minutes into the bar.
    history.note('p', 41, open + 1_200_000);
    expect(history.crossedSince('p', 'long', open, 40)).toBe(false);
    expect(history.crossedSince('p', 'long', open, 37.9)).toBe(true);
    // The next bar, all of it under the moved stop.
    expect(history.crossedSince('p', 'long', open + 3_600_000, 40)).toBe(true);
    const short = new StopHistory();
    short.note('s', 44, open - 1);
    short.note('s', 42, open + 60_000);
    expect([43, 44].map((p) => short.crossedSince('s', 'short', open, p))).toEqual([false, true]);
    history.forget('p');
    expect(history.crossedSince('p', 'long', open, 40)).toBe(true);
  });
});
