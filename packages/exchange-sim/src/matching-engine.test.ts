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

/** An engine on BTCUSDT with no book: `last` is the last replayed price, if any. */
function engineOn(balances: Record<string, string>, last?: string) {
  return new MatchingEngine({
    account: new SpotAccount(balances),
    rules: () => ({ ...BTCUSDT, orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT'] }),
    liquidity: { levels: () => [], lastPrice: () => (last === undefined ? undefined : toUnits(last)) },
    fees: { maker: toUnits('0.001'), taker: toUnits('0.001'), feesIn: 'received' },
    fillRule: 'through',
    clock: { now: () => 1_700_000_000_000 },
  });
}

function restingBuy(qty: string) {
  const engine = engineOn({ USDT: '1000000' });
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
    engine.onCandle('BTCUSDT', bar('60500', '61000', '59000', '60800', '0.001'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: toUnits('0.001') });
  });
});

function bar(open: string, high: string, low: string, close: string, volume: string) {
  return {
    open: toUnits(open),
    high: toUnits(high),
    low: toUnits(low),
    close: toUnits(close),
    volume: toUnits(volume),
  };
}

/** A sell stop of `qty` BTC resting with no book, as in a candle-only replay whose last close was 60000. */
function restingSellStop(type: 'STOP_LOSS' | 'STOP_LOSS_LIMIT', qty: string) {
  const engine = engineOn({ BTC: '1' }, '60000');
  const placed = engine.place({
    symbol: 'BTCUSDT',
    side: 'SELL',
    type,
    quantity: toUnits(qty),
    price: type === 'STOP_LOSS_LIMIT' ? toUnits('58950') : undefined,
    stopPrice: toUnits('59000'),
    timeInForce: type === 'STOP_LOSS_LIMIT' ? 'GTC' : undefined,
    clientOrderId: 'stop-1',
  });
  if (!placed.ok) throw new Error(placed.error.msg);
  return { engine, order: placed.value };
}

describe('MatchingEngine candles trigger stops on their way, as a venue does', () => {
  it('a bar that wicks through a sell stop and recovers sells at the stop, not at its close', () => {
    const { engine, order } = restingSellStop('STOP_LOSS_LIMIT', '0.5');
    engine.onCandle('BTCUSDT', bar('60000', '60100', '58000', '59800', '10'));
    expect(order).toMatchObject({ status: 'FILLED', executedQty: toUnits('0.5') });
    expect(order.trades.map((t) => [t.price, t.isMaker])).toEqual([[toUnits('59000'), false]]);
  });

  it('a bar that opened past the stop sells at the open', () => {
    const { engine, order } = restingSellStop('STOP_LOSS', '0.5');
    engine.onCandle('BTCUSDT', bar('58990', '59500', '58000', '59400', '10'));
    expect(order.trades.map((t) => t.price)).toEqual([toUnits('58990')]);
  });

  it('a bar that opened past the stop-limit limit leaves it resting at its limit', () => {
    const { engine, order } = restingSellStop('STOP_LOSS_LIMIT', '0.5');
    engine.onCandle('BTCUSDT', bar('58900', '58940', '58000', '58100', '10'));
    expect(order).toMatchObject({ status: 'NEW', working: true, executedQty: 0n });
    // The next bar goes through the limit: the resting sell fills there, as a maker.
    engine.onCandle('BTCUSDT', bar('58100', '59000', '58050', '58990', '10'));
    expect(order.trades.map((t) => [t.price, t.isMaker])).toEqual([[toUnits('58950'), true]]);
  });

  it('a triggered stop takes no more than the candle traded', () => {
    const { engine, order } = restingSellStop('STOP_LOSS_LIMIT', '1');
    engine.onCandle('BTCUSDT', bar('60000', '60100', '58000', '59800', '0.4'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: toUnits('0.4') });
    expect(order.trades.map((t) => t.price)).toEqual([toUnits('59000')]);
  });
});
