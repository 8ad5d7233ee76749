import type { Clock, Fill } from '@ballast/contracts';
import {
  foldPositionSlots,
  type PositionSlot,
  positionFill,
  type RecordedEntryOrder,
  type RecordedFill,
} from '@ballast/core';
import { type Database, type OrderSlice, OrderSliceRepository, ProtectiveStopRepository } from '@ballast/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/** The part of the stops service's persisted record (protective_stops) risk reads. */
const StopView = z.object({ positionId: z.string().min(1), stopPrice: z.number().positive() });

/**
 * What a starting risk service holds: every position slot, the stop known for each position id, and
 * the orders of approved entries (a decision's slices), which may not have filled yet.
 */
export type HeldPositions = {
  slots: PositionSlot[];
  stops: ReadonlyMap<string, number>;
  entryOrders: RecordedEntryOrder[];
};

/** Slices that can still fill: not yet sent, being sent, or resting on the venue. */
const LIVE = new Set<OrderSlice['status']>(['planned', 'sending', 'open']);

/**
 * A risk decision's slice: the orders service records the intent's strategy on it and sends it as an
 * entry; exits, stops and operator orders come as commands (no strategy) or reduce-only.
 */
const entryOrder = (slice: OrderSlice): slice is OrderSlice & { strategy: string } =>
  slice.strategy !== null && !slice.reduceOnly;

/**
 * Reads what is held from the durable records, not from the bus: risk's consumers resume after the last
 * message they acknowledged, so the events that opened the positions are not delivered again, and a
 * stream may no longer retain them. The orders service writes each fill to its slice before it
 * publishes the position, and rebuilds its own positions from the same fold, so a restart of either
 * service finds the same positions. Stops are the stops service's active records.
 */
export async function readHeldPositions(db: Kysely<Database>, clock: Clock): Promise<HeldPositions> {
  const slices = await new OrderSliceRepository(db, clock).all();
  const fills = slices.flatMap((slice) =>
    (slice.fills as Fill[]).map(
      (f): RecordedFill => ({
        ...positionFill(slice.symbol, slice.side, f),
        exchange: slice.exchange,
        symbol: slice.symbol,
        time: f.time,
        strategy: slice.strategy,
      }),
    ),
  );
  const stops = await new ProtectiveStopRepository(db, clock, StopView).active();
  return {
    slots: foldPositionSlots(fills),
    stops: new Map(stops.map((s) => [s.positionId, s.stopPrice])),
    entryOrders: slices.filter(entryOrder).map(
      (slice): RecordedEntryOrder => ({
        intentId: slice.intentId,
        strategy: slice.strategy,
        clientOrderId: slice.clientOrderId,
        exchange: slice.exchange,
        symbol: slice.symbol,
        side: slice.side,
        qty: slice.qty,
        filledQty: slice.filledQty,
        price: slice.price ?? slice.avgPrice,
        dueAt: slice.dueAt,
        live: LIVE.has(slice.status),
      }),
    ),
  };
}
