import { join } from 'node:path';
import { orderFilterFailure } from '@ballast/core';
import { RECORDED_BTCUSDT_RULES, sharedDataDir } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { loadExchangeInfoRules } from './exchange-info-rules';

// The recorded Binance spot exchangeInfo of 2021-10-12 (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const rules = loadExchangeInfoRules(
  join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
);

describe('loadExchangeInfoRules on the recorded 2021-10-12 exchangeInfo', () => {
  it('reads every filter paper enforces for BTC-USDT, maximums and percent band included', () => {
    expect(rules.get('BTC-USDT')).toEqual(RECORDED_BTCUSDT_RULES);
    expect(rules.get('ETH-USDT')?.marketMaxQty).toBe(1600.51202668);
  });

  it('so a market close of 150 BTC is refused as Binance refused it (MARKET_LOT_SIZE)', () => {
    const btc = rules.get('BTC-USDT')!;
    expect(orderFilterFailure({ qty: 150, price: null, side: 'sell' }, btc, 57_000)).toMatchObject({
      filter: 'MARKET_LOT_SIZE',
    });
  });
});
