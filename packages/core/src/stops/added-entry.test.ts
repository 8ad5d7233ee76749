import { describe, expect, it } from 'vitest';
import { binanceSpotRules } from '../risk/real-market.fixture';
import { addedEntry, addsTo, isAddTo } from './added-entry';

// Real figures: a SOLUSDT 4h backtest (binance-spot-ohlcv/SOLUSDT-4h.csv, default config). TP1 at
// 4.82 had closed half the position and moved its stop to breakeven, 4.05; on 2021-02-07 12:00
// trend_pullback's add was approved at 6.659 with its stop at 5.539 and its take-profit at 8.339.
// Tick 0.01 from binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const { SOLUSDT: sol } = binanceSpotRules(['SOLUSDT']);
const tickSize = sol!.tickSize;
const taken = { levels: [4.82], taken: 1 };

describe('addedEntry', () => {
  it("moves a long's stop up to the add's, and gives a fully taken ladder the add's take-profits", () => {
    expect(
      addedEntry({
        side: 'long',
        currentStop: 4.05,
        ladder: taken,
        intent: { stop: 5.539, takeProfits: [8.339] },
        tickSize,
      }),
    ).toEqual({ stopPrice: 5.54, ladder: { levels: [8.339], taken: 0 } });
  });

  it('keeps a tighter stop and a ladder with levels still to take', () => {
    const ladder = { levels: [7.2, 8.1], taken: 1 };
    expect(
      addedEntry({
        side: 'long',
        currentStop: 6.1,
        ladder,
        intent: { stop: 5.539, takeProfits: [8.339] },
        tickSize,
      }),
    ).toEqual({ stopPrice: 6.1, ladder });
  });

  it("moves a short's stop down to the add's, never up", () => {
    const ladder = { levels: [5.1], taken: 0 };
    const after = (stop: number) =>
      addedEntry({ side: 'short', currentStop: 7.4, ladder, intent: { stop, takeProfits: [5.5] }, tickSize });
    const [tighter, looser] = [after(6.9), after(7.9)];
    expect([tighter.stopPrice, looser.stopPrice]).toEqual([6.9, 7.4]);
  });
});

describe('isAddTo', () => {
  const holder = { strategy: 'trend_pullback', side: 'long' as const, intentId: 'in-open' };
  const intent = (over: Partial<{ strategy: string; positionSide: 'long' | 'short'; intentId: string }>) => ({
    strategy: 'trend_pullback',
    positionSide: 'long' as const,
    intentId: 'in-add',
    ...over,
  });

  it("takes the holder's own further entry on its side as an add", () => {
    expect(isAddTo(holder, intent({}))).toBe(true);
  });

  it("refuses the opening's own intent, another strategy's, the other side's, and any on a position no strategy opened", () => {
    expect([
      isAddTo(holder, intent({ intentId: 'in-open' })),
      isAddTo(holder, intent({ strategy: 'mean_reversion' })),
      isAddTo(holder, intent({ positionSide: 'short' })),
      isAddTo({ ...holder, strategy: null }, intent({})),
    ]).toEqual([false, false, false, false]);
  });
});

describe('addsTo', () => {
  const position = {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    strategy: 'trend_pullback',
    side: 'long' as const,
    intentId: 'in-open',
  };
  const add = {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    strategy: 'trend_pullback',
    positionSide: 'long' as const,
    intentId: 'in-add',
  };

  it("takes the holder's add in its own market, and none in another market", () => {
    expect(addsTo(position, add)).toBe(true);
    expect(addsTo(position, { ...add, symbol: 'ETH-USDT' })).toBe(false);
    expect(addsTo(position, { ...add, exchange: 'bybit' })).toBe(false);
  });
});
