import type { OrderEvent } from '@ballast/contracts';
import { closeIntentId, flattenIntentId, flattenIntentPrefix, takeProfitPurpose } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { exitReason, TradeLedger } from './trade-ledger';

describe('exitReason', () => {
  it('names the closer of a trade from the intent ids the stops service and the runtime send', () => {
    const position = 'binance:BTC-USDT';
    expect(exitReason(closeIntentId(position, takeProfitPurpose(3, 9)))).toBe('take_profit');
    expect(exitReason(closeIntentId(position, 'trigger:bls0123456789abcdef'))).toBe('stop');
    expect(exitReason(closeIntentId(position, `trigger:${takeProfitPurpose(3, 9)}`))).toBe('stop');
    expect(exitReason(closeIntentId(position, 'local:4'))).toBe('stop');
    const endOfData = flattenIntentPrefix('binance', 'k1');
    expect(exitReason(flattenIntentId('binance', 'k1', 'BTC-USDT'), endOfData)).toBe('end_of_data');
    expect(exitReason(flattenIntentId('binance', 'k2', 'BTC-USDT'), endOfData)).toBe('other');
    expect(exitReason(null)).toBe('other');
  });
});

describe('TradeLedger', () => {
  // BTCUSDT's recorded spot filters (binance-rest/2021-10-12 exchangeInfo): step 0.00001, minimum notional 10.
  const rules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };
  const event = (
    side: 'buy' | 'sell',
    qty: number,
    price: number,
    fee: number,
    feeAsset: string,
  ): OrderEvent => ({
    status: 'filled',
    intentId: side === 'buy' ? 'in-1' : 'stops:binance:BTC-USDT:trigger:s1',
    clientOrderId: `bl-${side}`,
    venueOrderId: `v-${side}`,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side,
    type: 'market',
    qty,
    filledQty: qty,
    avgPrice: price,
    fill: { tradeId: `t-${side}`, price, qty, fee, feeAsset, liquidity: 'taker', time: 1 },
    reason: null,
    detail: null,
  });

  const btcLedger = () =>
    new TradeLedger(
      () => 'test',
      () => rules,
    );

  it('closes a trade whose exit left only dust: a buy that paid its fee in base cannot sell it all', () => {
    const ledger = btcLedger();
    // 0.001 bought, 0.000001 of it the fee: 0.000999 held, 0.00099 sellable on the step.
    ledger.onOrderEvent(event('buy', 0.001, 60000, 0.000001, 'BTC'));
    ledger.onOrderEvent(event('sell', 0.00099, 61000, 0.06039, 'USDT'));
    expect(ledger.exposed).toBe(false);
    expect(ledger.trades()).toMatchObject([
      { qty: 0.001, exit_qty: 0.00099, exit_reason: 'stop', exit_price: 61000 },
    ]);
  });

  it('carries the dust a trade left into the next, which sells it: exit_qty is what was sold, Σ pnl the account change', () => {
    const ledger = btcLedger();
    // Each buy pays 0.1 % of its base as fee; each sale 0.1 % of its quote.
    ledger.onOrderEvent(event('buy', 0.001, 60000, 0.000001, 'BTC'));
    ledger.onOrderEvent(event('sell', 0.00099, 61000, 0.06039, 'USDT'));
    // 0.000009 BTC left: dust. The next buy takes it in: 0.001008 held, 0.001 sellable on the step.
    ledger.onOrderEvent(event('buy', 0.001, 62000, 0.000001, 'BTC'));
    ledger.onOrderEvent(event('sell', 0.001, 63000, 0.063, 'USDT'));
    expect(ledger.exposed).toBe(false);
    const trades = ledger.trades();
    expect(trades.map((t) => t.exit_qty)).toEqual([0.00099, 0.001]);
    const [dust] = ledger.dust();
    expect(dust).toMatchObject({ symbol: 'BTC-USDT', side: 'long' });
    expect(dust?.qty).toBeCloseTo(0.000008, 12);
    const usdt = -0.001 * 60000 + 0.00099 * 61000 - 0.06039 - 0.001 * 62000 + 0.001 * 63000 - 0.063;
    const accountChange = usdt + 0.000008 * 63000;
    const pnl = trades.reduce((sum, t) => sum + t.pnl, 0);
    expect(pnl + (dust?.qty ?? 0) * (63000 - (dust?.avgEntry ?? 0))).toBeCloseTo(accountChange, 9);
  });
});
