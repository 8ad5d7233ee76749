import { describe, expect, it } from 'vitest';
import { pendingFromOrders, type RecordedEntryOrder } from './recorded-entry-orders';

const T0 = Date.UTC(2022, 0, 10, 12);
const TTL = 300_000;

const order = (clientOrderId: string, over: Partial<RecordedEntryOrder> = {}): RecordedEntryOrder => ({
  intentId: 'in-twap',
  strategy: 'trend',
  clientOrderId,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  qty: 0.01,
  filledQty: 0,
  price: null,
  dueAt: T0,
  live: true,
  ...over,
});

describe('pendingFromOrders', () => {
  it("reserves what a TWAP's live slices have not filled, from its first slice's time, its finished slices settled", () => {
    const twap = [
      order('bl-0', { live: false, filledQty: 0.01, price: 58_000 }),
      order('bl-1', { filledQty: 0.004, price: 58_010, dueAt: T0 + 12_000 }),
      order('bl-2', { dueAt: T0 + 24_000 }),
      order('bl-3', { live: false, dueAt: T0 + 36_000 }),
    ];
    expect(pendingFromOrders(twap, TTL)).toEqual([
      {
        intentId: 'in-twap',
        strategy: 'trend',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: expect.closeTo(0.016, 12),
        entry: 58_000,
        stop: 0,
        expiresAt: T0 + TTL,
        settled: ['bl-0', 'bl-3'],
      },
    ]);
  });

  it('reserves nothing for an intent whose orders are all finished, and leaves an unknown price at 0', () => {
    const orders = [
      order('bl-done', { intentId: 'in-done', live: false, filledQty: 0.01 }),
      order('bl-sell', { intentId: 'in-sell', side: 'sell' }),
    ];
    expect(pendingFromOrders(orders, TTL)).toEqual([
      expect.objectContaining({ intentId: 'in-sell', side: 'short', qty: 0.01, entry: 0 }),
    ]);
  });
});
