import { describe, expect, it } from 'vitest';
import { addTakeProfitFailure, takeProfitRetryDue } from './take-profit-retry';

describe('takeProfitRetryDue', () => {
  it('lets a take-profit go with no failure, and again at once after one', () => {
    expect(takeProfitRetryDue(undefined, 1_000, 30_000)).toBe(true);
    expect(takeProfitRetryDue(addTakeProfitFailure(undefined, 1_000), 1_001, 30_000)).toBe(true);
  });

  it('after two failures in a row, waits `waitMs` after the last', () => {
    const twice = addTakeProfitFailure(addTakeProfitFailure(undefined, 1_000), 2_000);
    expect(twice).toEqual({ count: 2, at: 2_000 });
    expect(takeProfitRetryDue(twice, 31_999, 30_000)).toBe(false);
    expect(takeProfitRetryDue(twice, 32_000, 30_000)).toBe(true);
    expect(takeProfitRetryDue(addTakeProfitFailure(twice, 32_500), 40_000, 30_000)).toBe(false);
  });
});
