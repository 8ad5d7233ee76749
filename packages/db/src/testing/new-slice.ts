import type { NewSlice } from '../repositories/order-slice-repository';

/** A BTC-USDT market buy slice on Binance as the order manager records it, never due to its loop. */
export function btcSlice(clientOrderId: string, o: Partial<NewSlice> = {}): NewSlice {
  return {
    clientOrderId,
    intentId: `intent-${clientOrderId}`,
    slice: 0,
    strategy: 'test',
    correlationId: null,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'buy',
    type: 'market',
    qty: 0.001,
    price: null,
    reduceOnly: false,
    dueAt: Number.MAX_SAFE_INTEGER,
    ...o,
  };
}
