import type { WalkableBook } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { VenueError, type VenueOrder, type VenueOrderRequest } from './order-venue';
import { type PaperStore, PaperVenue, type PaperVenueDeps } from './paper-venue';

const rules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 5 };

/** The account in memory, as a restart would read it back. */
function memoryStore(): PaperStore & { stored: { balances: Record<string, number>; orders: VenueOrder[] } } {
  const stored = { balances: {} as Record<string, number>, orders: [] as VenueOrder[] };
  return {
    stored,
    loadBalances: async () => ({ ...stored.balances }),
    saveBalances: async (_venue, balances) => {
      stored.balances = { ...balances };
    },
    loadOrders: async () => [...stored.orders],
    saveOrder: async (_venue, order, balances) => {
      if (balances) stored.balances = { ...balances };
      stored.orders = [...stored.orders.filter((o) => o.clientOrderId !== order.clientOrderId), order];
    },
  };
}

function open(overrides: Partial<PaperVenueDeps> = {}): Promise<PaperVenue> {
  let n = 0;
  return PaperVenue.open({
    venue: 'binance',
    book: () => undefined,
    rules: () => rules,
    fees: { maker: 0.001, taker: 0.001 },
    store: memoryStore(),
    clock: { now: () => 1_700_000_000_000 },
    ids: () => `v${++n}`,
    initialBalances: { USDT: 10_000 },
    ...overrides,
  });
}

const marketBuy: VenueOrderRequest = {
  clientOrderId: 'bl-1',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty: 0.01,
  price: null,
  reduceOnly: false,
};

describe('PaperVenue without a trusted book', () => {
  it('refuses an order, naming why, and leaves the account as it was', async () => {
    const paper = await open();
    const refused = await paper.submit(marketBuy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(VenueError);
    expect(refused).toMatchObject({
      reason: 'network',
      message: 'no trusted order book for BTC-USDT (none in sequence since a snapshot)',
    });
    expect(await paper.balances()).toEqual({ USDT: 10_000 });
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-1')).toBeUndefined();
  });

  it('reads the REST depth instead when it has one, with the levels asked for', async () => {
    const reads: Array<[string, number | undefined]> = [];
    const rest: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
    const paper = await open({
      restBook: async (symbol, limit) => {
        reads.push([symbol, limit]);
        return rest;
      },
    });
    expect(await paper.orderBook('BTC-USDT', 100)).toEqual(rest);
    // 0.01 @ 60000 = 600, taker fee 0.6.
    const filled = await paper.submit(marketBuy);
    expect(filled).toMatchObject({ status: 'filled', filledQty: 0.01, avgPrice: 60000 });
    expect(await paper.balances()).toEqual({ USDT: 9399.4, BTC: 0.01 });
    expect(reads).toEqual([
      ['BTC-USDT', 100],
      ['BTC-USDT', undefined],
    ]);
  });

  it('fills against the streamed book when it has one, without reading REST', async () => {
    const reads: string[] = [];
    const paper = await open({
      book: () => ({ bids: [[59990, 5]], asks: [[60010, 5]] }),
      restBook: async (symbol) => {
        reads.push(symbol);
        return { bids: [], asks: [] };
      },
    });
    expect(await paper.submit(marketBuy)).toMatchObject({ status: 'filled', avgPrice: 60010 });
    expect(reads).toEqual([]);
  });
});
