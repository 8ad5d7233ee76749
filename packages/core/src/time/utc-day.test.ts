import { describe, expect, it } from 'vitest';
import { utcDayStart } from './utc-day';

describe('utcDayStart', () => {
  it('maps any time of a UTC day to its midnight', () => {
    const midnight = Date.UTC(2022, 0, 15);
    expect(utcDayStart(midnight)).toBe(midnight);
    expect(utcDayStart(midnight + 13 * 3_600_000 + 1)).toBe(midnight);
    expect(utcDayStart(midnight + 86_400_000 - 1)).toBe(midnight);
  });

  it('starts a new day exactly at 00:00:00.000 UTC', () => {
    const nextMidnight = Date.UTC(2022, 0, 16);
    expect(utcDayStart(nextMidnight)).toBe(nextMidnight);
  });

  it('handles the end of a leap-year February', () => {
    expect(utcDayStart(Date.UTC(2020, 1, 29, 23, 59, 59, 999))).toBe(Date.UTC(2020, 1, 29));
    expect(utcDayStart(Date.UTC(2020, 2, 1, 0, 0, 0, 0))).toBe(Date.UTC(2020, 2, 1));
  });
});
