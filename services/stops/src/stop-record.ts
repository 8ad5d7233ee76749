import { OrderSide, PositionSide } from '@ballast/contracts';
import { z } from 'zod';

/** What the stops service persists per open position (table `protective_stops`, column `state`). */
export const StopRecord = z.object({
  positionId: z.string().min(1),
  exchange: z.string().min(1),
  symbol: z.string().min(1),
  side: PositionSide,
  /** The closing side of the stop order. */
  stopSide: OrderSide,
  qty: z.number().nonnegative(),
  entry: z.number().positive(),
  stopPrice: z.number().positive(),
  /** The client order id of the stop that should be live; null while none is placed. */
  clientOrderId: z.string().nullable(),
  /** Bumped on every (re)placement, so each stop gets a fresh, derived client order id. */
  seq: z.number().int().nonnegative(),
  verified: z.boolean(),
  intentId: z.string().nullable(),
  ladder: z.object({ levels: z.array(z.number().positive()), taken: z.number().int().nonnegative() }),
});
export type StopRecord = z.infer<typeof StopRecord>;
