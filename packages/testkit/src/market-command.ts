import type { OrderCommand } from '@ballast/contracts';

/** A direct BTC-USDT market order on Binance as an operator's command submits it (client id `bl-<intent>`). */
export const marketCommand = (
  intentId: string,
  side: 'buy' | 'sell',
  qty: number,
  overrides: Partial<Extract<OrderCommand, { kind: 'submit' }>> = {},
): OrderCommand => ({
  kind: 'submit',
  intentId,
  clientOrderId: `bl-${intentId}`,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side,
  type: 'market',
  qty,
  price: null,
  triggerPrice: null,
  reduceOnly: false,
  maxSlippageBps: null,
  execution: { algo: 'direct' },
  ...overrides,
});
