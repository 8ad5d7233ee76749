import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../time';
import { haltsBegun } from './halts-begun';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { applyClosedTrade, applyEquityMark } from './risk-reducers';
import { initialRiskState } from './risk-state';

const HOUR = 3_600_000;
const start = Date.UTC(2024, 2, 4, 9);
const limits = DEFAULT_RISK_LIMITS;

describe('haltsBegun', () => {
  it('tells the daily-loss halt once, when the mark reaches it, and again only on a later day', () => {
    const fresh = initialRiskState(10_000, start);
    const down = applyEquityMark(fresh, { equity: 9_400, time: start + HOUR }, limits);
    const [daily] = haltsBegun(fresh, down, limits, start + HOUR);
    expect(daily).toMatchObject({
      reason: 'daily_loss',
      limit: 500,
      value: 600,
      until: Date.UTC(2024, 2, 5),
    });
    const lower = applyEquityMark(down, { equity: 9_300, time: start + 2 * HOUR }, limits);
    expect(haltsBegun(down, lower, limits, start + 2 * HOUR)).toEqual([]);
    // The next day starts from 9,300; losing 5% of that halts the new day.
    const nextDay = start + DAY_MS;
    const again = applyEquityMark(lower, { equity: 8_800, time: nextDay }, limits);
    expect(haltsBegun(lower, again, limits, nextDay).map((h) => h.reason)).toEqual(['daily_loss']);
  });

  it('tells the drawdown halt with no end: it waits for a resume', () => {
    let state = initialRiskState(10_000, start);
    // Losses spread over days, under the daily limit each day, down 16% from the peak.
    for (let day = 1; day <= 3; day++)
      state = applyEquityMark(state, { equity: 10_000 - day * 400, time: start + day * DAY_MS }, limits);
    const before = state;
    const after = applyEquityMark(before, { equity: 8_400, time: start + 4 * DAY_MS }, limits);
    expect(haltsBegun(before, after, limits, start + 4 * DAY_MS)).toEqual([
      expect.objectContaining({ reason: 'max_drawdown', limit: 1_500, value: 1_600, until: null }),
    ]);
    expect(haltsBegun(after, after, limits, start + 4 * DAY_MS)).toEqual([]);
  });

  it('tells each loss-streak pause as the losing trade that earns it closes, not a win', () => {
    let state = initialRiskState(10_000, start);
    const close = (pnl: number, at: number) => {
      const before = state;
      state = applyClosedTrade(state, { pnl, fees: 0, closeTime: at });
      return haltsBegun(before, state, limits, at);
    };
    expect(close(-10, start)).toEqual([]);
    const [second] = close(-10, start + HOUR);
    expect(second).toMatchObject({ reason: 'loss_streak', limit: 2, value: 2, until: start + 3 * HOUR });
    const [third] = close(-10, start + 4 * HOUR);
    expect(third).toMatchObject({ reason: 'loss_streak', value: 3, until: start + 10 * HOUR });
    expect(close(5, start + 11 * HOUR)).toEqual([]);
  });
});
