import { describe, expect, it } from 'vitest';
import { hourExpectancies } from './hour-expectancy-stats';

const at = (day: number, hour: number, minute = 0) => Date.UTC(2024, 0, day, hour, minute);

describe('hourExpectancies', () => {
  it('groups closed trades by strategy and UTC entry hour: count and mean net pnl', () => {
    const stats = hourExpectancies([
      { strategy: 'trend_pullback', entryTime: at(1, 8, 0), pnl: -12 },
      { strategy: 'trend_pullback', entryTime: at(2, 8, 59), pnl: 3 },
      { strategy: 'trend_pullback', entryTime: at(3, 9, 0), pnl: 5 },
      { strategy: 'mean_reversion', entryTime: at(1, 23, 30), pnl: 1.5 },
      { strategy: 'mean_reversion', entryTime: at(4, 0, 10), pnl: -2 },
    ]);
    expect(stats).toEqual([
      { strategy: 'mean_reversion', hourUtc: 0, trades: 1, expectancy: -2 },
      { strategy: 'mean_reversion', hourUtc: 23, trades: 1, expectancy: 1.5 },
      { strategy: 'trend_pullback', hourUtc: 8, trades: 2, expectancy: -4.5 },
      { strategy: 'trend_pullback', hourUtc: 9, trades: 1, expectancy: 5 },
    ]);
  });

  it('skips trades without a strategy or an entry time', () => {
    expect(
      hourExpectancies([
        { strategy: null, entryTime: at(1, 8), pnl: -1 },
        { strategy: 'trend_pullback', entryTime: null, pnl: -1 },
      ]),
    ).toEqual([]);
  });

  it('places an entry before 1970 in its UTC hour', () => {
    expect(hourExpectancies([{ strategy: 's', entryTime: Date.UTC(1969, 11, 31, 22, 15), pnl: 1 }])).toEqual([
      { strategy: 's', hourUtc: 22, trades: 1, expectancy: 1 },
    ]);
  });
});
