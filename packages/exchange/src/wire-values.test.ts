import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { SymbolCache } from './wire-values';

// Reads binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: every Binance spot market of the day.
interface Market {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
}
const markets = (
  JSON.parse(readDataFile('binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz')) as {
    symbols: Market[];
  }
).symbols;
const normalised = (m: Market) => `${m.baseAsset}-${m.quoteAsset}`;

describe('SymbolCache', () => {
  it('reads back every subscribed Binance spot market from its venue symbol, whatever its quote', () => {
    const cache = new SymbolCache(markets.map(normalised));
    const misread = markets.filter((m) => cache.normalise(m.symbol) !== normalised(m));
    expect(markets).toHaveLength(1695);
    expect(misread.map((m) => m.symbol)).toEqual([]);
  });

  it('splits a symbol it was not given at a known quote, and yields undefined for an unknown one', () => {
    const cache = new SymbolCache(['BTC-USDT']);
    expect(cache.normalise('ETHUSDT')).toBe('ETH-USDT');
    // 220 of the 1,695 markets quote in an asset the normaliser does not know (TRY, BRL, GBP, AUD…).
    expect(markets.filter((m) => cache.normalise(m.symbol) === undefined)).toHaveLength(220);
    expect(cache.normalise('BTCTRY')).toBeUndefined();
  });
});
