import { describe, expect, it } from 'vitest';
import { missingOfBacktest } from './backtest-result';

const metrics = { trades: 2, expectancy: -1.5, max_drawdown_pct: 3 };

describe('missingOfBacktest', () => {
  it('finds nothing missing in what a go-live gate reads of a result file', () => {
    expect(missingOfBacktest({ meta: { from: 1, to: 2, seed: 1 }, trades: [], metrics })).toEqual([]);
  });

  it('names what an optimize result lacks, and a metric written as null (a non-finite figure in JSON)', () => {
    expect(missingOfBacktest({ meta: { from: 1, to: 2, windows: 4 }, folds: [] })).toEqual([
      'no trades',
      'no metrics',
    ]);
    expect(
      missingOfBacktest({ meta: { from: 1 }, trades: [], metrics: { ...metrics, expectancy: null } }),
    ).toEqual(['no meta.from/to', 'no metrics']);
  });

  it('names every part for what is no object at all', () => {
    expect(missingOfBacktest(null)).toEqual(['no meta.from/to', 'no trades', 'no metrics']);
  });
});
