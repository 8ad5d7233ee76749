import { Fill, OrderSide, OrderStatus } from '@ballast/contracts';
import type { PaperAccountRepository } from '@ballast/db';
import type { PaperStore, StoredPaperOrder } from '@ballast/exchange';
import { z } from 'zod';

const StoredVenueOrder = z.object({
  clientOrderId: z.string(),
  venueOrderId: z.string(),
  symbol: z.string(),
  side: OrderSide,
  status: OrderStatus,
  qty: z.number(),
  price: z.number().nullable(),
  filledQty: z.number(),
  avgPrice: z.number().nullable(),
  fills: z.array(Fill),
  prints: z.record(z.string(), z.number()).optional(),
  placedAt: z.number().optional(),
});

/** The paper broker's account in PostgreSQL. */
export function paperStore(repo: PaperAccountRepository): PaperStore {
  return {
    loadBalances: (venue) => repo.loadBalances(venue),
    saveBalances: (venue, balances) => repo.saveBalances(venue, balances),
    loadOrders: (venue): Promise<StoredPaperOrder[]> => repo.loadOrders(venue, StoredVenueOrder),
    saveOrder: (venue, order, balances) => repo.saveOrder(venue, order, order, balances),
  };
}
