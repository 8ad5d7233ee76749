import { describe, expect, it } from 'vitest';
import { toUnits } from './decimal';
import type { SymbolRules } from './exchange-info';
import { MatchingEngine } from './matching-engine';
import { SpotAccount } from './spot-account';

// BTCUSDT's filters as recorded in binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const BTCUSDT: SymbolRules = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  orderTypes: ['LIMIT', 'MARKET'],
  minPrice: toUnits('0.01'),
  maxPrice: toUnits('1000000'),
  tickSize: toUnits('0.01'),
  minQty: toUnits('0.00001'),
  maxQty: toUnits('9000'),
  stepSize: toUnits('0.00001'),
  marketMaxQty: toUnits('100.05381873'),
  minNotional: toUnits('10'),
  minNotionalAppliesToMarket: true,
};

function restingBuy(qty: string) {
  const engine = new MatchingEngine({
    account: new SpotAccount({ USDT: '1000000' }),
    rules: () => BTCUSDT,
    liquidity: { levels: () => [], lastPrice: () => undefined },
    fees: { maker: toUnits('0.001'), taker: toUnits('0.001'), feesIn: 'received' },
    fillRule: 'through',
    clock: { now: () => 1_700_000_000_000 },
  });
  const placed = engine.place({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: toUnits(qty),
    price: toUnits('60000'),
    timeInForce: 'GTC',
    clientOrderId: 'rest-1',
  });
  if (!placed.ok) throw new Error(placed.error.msg);
  return { engine, order: placed.value };
}

describe('MatchingEngine resting limits meet prints of a size', () => {
  it('two trades of 0.6 and 0.5 through a resting buy of 1 fill it as 0.6, then 0.4', () => {
    const { engine, order } = restingBuy('1');
    engine.onTrade('BTCUSDT', toUnits('59999.99'), toUnits('0.6'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: toUnits('0.6') });
    engine.onTrade('BTCUSDT', toUnits('59999.99'), toUnits('0.5'));
    expect(order).toMatchObject({ status: 'FILLED', executedQty: toUnits('1') });
    expect(order.trades.map((t) => t.qty)).toEqual([toUnits('0.6'), toUnits('0.4')]);
  });

  it('a candle fills a resting buy no further than its volume', () => {
    const { engine, order } = restingBuy('5');
    engine.onCandle('BTCUSDT', toUnits('59000'), toUnits('61000'), toUnits('0.001'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: toUnits('0.001') });
  });
});
