import { sharedDataDir } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { toUnits } from './decimal';
import { type ExchangeInfo, symbolRules } from './exchange-info';
import { checkFilters } from './order-filters';
import { readRecordedFile } from './recorded-file';

// BTCUSDT as recorded in binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: LOT_SIZE maxQty
// 9000, MARKET_LOT_SIZE maxQty 100.05381873 (minQty and stepSize 0).
const info = JSON.parse(
  readRecordedFile(sharedDataDir(), 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
) as ExchangeInfo;
const btc = info.symbols.find((s) => s.symbol === 'BTCUSDT');
if (!btc) throw new Error('BTCUSDT not in the recorded exchangeInfo');
const rules = symbolRules(btc);
const order = (quantity: string, isMarket: boolean) => ({
  quantity: toUnits(quantity),
  price: toUnits('58001.04'),
  isMarket,
});

describe('checkFilters MARKET_LOT_SIZE', () => {
  it('refuses a market order above its maximum, as Binance does, and takes one at it', () => {
    expect(rules.marketMaxQty).toBe(toUnits('100.05381873'));
    expect(checkFilters(rules, order('100.05382', true))).toBe('MARKET_LOT_SIZE');
    expect(checkFilters(rules, order('100.05381', true))).toBeUndefined();
  });

  it('holds a limit order to LOT_SIZE only', () => {
    expect(checkFilters(rules, order('100.05382', false))).toBeUndefined();
    expect(checkFilters(rules, order('9000.00001', false))).toBe('LOT_SIZE');
  });
});
