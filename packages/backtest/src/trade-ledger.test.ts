import type { OrderEvent } from '@ballast/contracts';
import { closeIntentId, takeProfitPurpose } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { exitReason, TradeLedger } from './trade-ledger';

describe('exitReason', () => {
  it('names the closer of a trade from the intent ids the stops service and the runtime send', () => {
    const position = 'binance:BTC-USDT';
    expect(exitReason(closeIntentId(position, takeProfitPurpose(3, 9)))).toBe('take_profit');
    expect(exitReason(closeIntentId(position, 'trigger:bls0123456789abcdef'))).toBe('stop');
    expect(exitReason(closeIntentId(position, `trigger:${takeProfitPurpose(3, 9)}`))).toBe('stop');
    expect(exitReason(closeIntentId(position, 'local:4'))).toBe('stop');
    expect(exitReason('backtest:end:BTC-USDT')).toBe('end_of_data');
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

  it('closes a trade whose exit left only dust: a buy that paid its fee in base cannot sell it all', () => {
    const ledger = new TradeLedger(
      () => 'test',
      () => rules,
    );
    // 0.001 bought, 0.000001 of it the fee: 0.000999 held, 0.00099 sellable on the step.
    ledger.onOrderEvent(event('buy', 0.001, 60000, 0.000001, 'BTC'));
    ledger.onOrderEvent(event('sell', 0.00099, 61000, 0.06039, 'USDT'));
    expect(ledger.exposed).toBe(false);
    expect(ledger.trades()).toMatchObject([
      { qty: 0.001, exit_qty: 0.00099, exit_reason: 'stop', exit_price: 61000 },
    ]);
  });
});
