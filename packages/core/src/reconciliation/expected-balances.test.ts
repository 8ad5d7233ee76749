import { describe, expect, it } from 'vitest';
import { expectedBalances } from './expected-balances';
import type { VenueTrade } from './recon-snapshot';

const AT = 1_700_000_000_000;
const trade = (t: Partial<VenueTrade>): VenueTrade => ({
  tradeId: '1',
  venueOrderId: '1',
  symbol: 'ETH-USDT',
  side: 'buy',
  price: 1_000,
  qty: 0.5,
  fee: 0,
  feeAsset: 'USDT',
  liquidity: 'taker',
  time: AT + 1_000,
  ...t,
});

describe('expectedBalances', () => {
  it('counts a first-read market’s trades only after the baseline’s read: the earlier ones are in it', () => {
    // ETH-USDT read for the first time: its trade from before the baseline and one of ours after it.
    const history = trade({ tradeId: '1', qty: 0.01, time: AT - 60_000 });
    const ours = trade({ tradeId: '2' });
    expect(expectedBalances({ ETH: 0.01, USDT: 9_990 }, AT, { 'BTC-USDT': '5' }, [history, ours])).toEqual({
      ETH: 0.51,
      USDT: 9_490,
    });
  });

  it('counts every trade of a market read before (it has a cursor), whatever its time', () => {
    const t = trade({ time: AT - 60_000 });
    expect(expectedBalances({ ETH: 0, USDT: 1_000 }, AT, { 'ETH-USDT': '1' }, [t])).toEqual({
      ETH: 0.5,
      USDT: 500,
    });
  });

  it('counts every trade when the baseline’s read time was never stored, and nothing without a baseline', () => {
    const t = trade({ time: AT - 60_000 });
    expect(expectedBalances({ ETH: 0, USDT: 1_000 }, null, {}, [t])).toEqual({ ETH: 0.5, USDT: 500 });
    expect(expectedBalances(null, AT, {}, [t])).toBeNull();
  });
});
