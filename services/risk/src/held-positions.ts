import type { Clock, Fill } from '@ballast/contracts';
import {
  foldPositionSlots,
  LIVE_ORDER_STATUSES,
  marketKey,
  orderOver,
  type PositionSlot,
  type RecordedEntryOrder,
  recordedFills,
  type TradableRules,
} from '@ballast/core';
import { type Database, type OrderSlice, OrderSliceRepository, ProtectiveStopRepository } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/**
 * The part of the stops service's persisted record (protective_stops) risk reads. A record `unplanned`
 * (a position opened while its stop could not be planned) has no stop: its price is none to count. A
 * record of nothing held (qty 0: a closed position's stop still to be cancelled) protects nothing either,
 * and its price belongs to a position gone: the next one of its slot must not be measured to it.
 */
const StopView = z.object({
  positionId: z.string().min(1),
  qty: z.number(),
  stopPrice: z.number().positive(),
  unplanned: z.unknown().optional(),
});

/**
 * What a starting risk service holds: every position slot, the stop known for each position id, and
 * the orders of approved entries (a decision's slices), which may not have filled yet.
 */
export type HeldPositions = {
  slots: PositionSlot[];
  stops: ReadonlyMap<string, number>;
  entryOrders: RecordedEntryOrder[];
};

/** A market's rules for the dust verdict; undefined when unknown (then only an exact 0 closes). */
export type RulesReader = (exchange: string, symbol: string) => Promise<TradableRules | undefined>;

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
export async function readHeldPositions(
  db: Kysely<Database>,
  clock: Clock,
  rules: RulesReader,
): Promise<HeldPositions> {
  const slices = await new OrderSliceRepository(db, clock).all();
  const markets = new Map<string, TradableRules | undefined>();
  for (const { exchange, symbol, fills } of slices) {
    const key = marketKey(exchange, symbol);
    if (fills.length > 0 && !markets.has(key)) markets.set(key, await rules(exchange, symbol));
  }
  const fills = slices.flatMap((slice) => {
    const endRules = orderOver(slice.status, slice.filledQty, slice.qty)
      ? markets.get(marketKey(slice.exchange, slice.symbol))
      : undefined;
    return recordedFills({ ...slice, fills: slice.fills as Fill[] }, endRules);
  });
  const stops = await new ProtectiveStopRepository(db, clock, StopView).active();
  return {
    slots: foldPositionSlots(fills),
    stops: new Map(
      stops.filter((s) => s.unplanned == null && s.qty > 0).map((s) => [s.positionId, s.stopPrice]),
    ),
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
        live: LIVE_ORDER_STATUSES.has(slice.status),
      }),
    ),
  };
}

/**
 * Reads `venue`'s rules for its own markets (the orders service judges dust on the same); another
 * venue's, or rules it cannot read (logged), give no verdict.
 */
export function venueRules(
  venue: Pick<OrderVenue, 'id' | 'marketRules'>,
  log: { warn(o: object, m: string): void },
): RulesReader {
  return async (exchange, symbol) => {
    if (exchange !== venue.id) return undefined;
    try {
      return await venue.marketRules(symbol);
    } catch (err) {
      log.warn({ err, symbol }, 'market rules unavailable: a dust remainder read at start does not close');
      return undefined;
    }
  };
}
