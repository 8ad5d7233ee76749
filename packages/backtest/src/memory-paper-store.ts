import type { PaperStore, StoredPaperOrder } from '@ballast/exchange';

/** The paper account of one backtest run, kept in memory: a run starts from nothing and ends with it. */
export function memoryPaperStore(): PaperStore {
  const balances = new Map<string, Record<string, number>>();
  const orders = new Map<string, Map<string, StoredPaperOrder>>();
  return {
    loadBalances: async (venue) => ({ ...(balances.get(venue) ?? {}) }),
    saveBalances: async (venue, next) => void balances.set(venue, { ...next }),
    loadOrders: async (venue) => [...(orders.get(venue)?.values() ?? [])],
    saveOrder: async (venue, order, next) => {
      if (next) balances.set(venue, { ...next });
      const byId = orders.get(venue) ?? new Map<string, StoredPaperOrder>();
      byId.set(order.venueOrderId, order);
      orders.set(venue, byId);
    },
  };
}
