import { describe, expect, it } from 'vitest';
import { isTradeHistory } from './trade-history';

const FIRST_RUN = 1_700_000_000_000;

describe('isTradeHistory', () => {
  it("takes every trade from before the venue's first run as history on a market not read yet", () => {
    expect(isTradeHistory({ symbol: 'BTC-USDT', time: FIRST_RUN - 1 }, {}, FIRST_RUN)).toBe(true);
    expect(isTradeHistory({ symbol: 'ETH-USDT', time: FIRST_RUN - 1 }, { 'BTC-USDT': '5' }, FIRST_RUN)).toBe(
      true,
    );
  });

  it('counts a trade on a market first traded after the first run, though the market has no cursor yet', () => {
    expect(
      isTradeHistory({ symbol: 'ETH-USDT', time: FIRST_RUN + 60_000 }, { 'BTC-USDT': '5' }, FIRST_RUN),
    ).toBe(false);
  });

  it('counts every trade read after a cursor, whenever it was made', () => {
    expect(isTradeHistory({ symbol: 'BTC-USDT', time: FIRST_RUN - 1 }, { 'BTC-USDT': null }, FIRST_RUN)).toBe(
      false,
    );
  });
});
