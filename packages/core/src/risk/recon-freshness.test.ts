import { expect, it } from 'vitest';
import { reconFreshness } from './recon-freshness';

it('is fresh within the max age, not before any report, and says how old a report past it is', () => {
  expect(reconFreshness('binance', undefined, 10_000, 5_000)).toEqual({ fresh: false });
  expect(reconFreshness('binance', 5_000, 10_000, 5_000)).toEqual({ fresh: true });
  expect(reconFreshness('binance', 4_000, 10_000, 5_000)).toEqual({
    fresh: false,
    why: 'binance: the last reconciliation status is 6000 ms old (limit 5000 ms); reconciliation may have stopped',
  });
});
