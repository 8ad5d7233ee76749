import type { Clock } from '@ballast/contracts';
import {
  acknowledgedKeys,
  applyFill,
  FLAT,
  type LedgerOrder,
  type LedgerSnapshot,
  type LedgerStop,
  type NetPosition,
  positionFill,
  type ReconPolicy,
  tradeKey,
} from '@ballast/core';
import type {
  Database,
  OrderSlice,
  OrderSliceRepository,
  ProtectiveStopRepository,
  ReconRepository,
} from '@ballast/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/** The part of the stops service's persisted record reconciliation reads. */
export const StopView = z.object({
  positionId: z.string().min(1),
  symbol: z.string().min(1),
  qty: z.number().nonnegative(),
  stopPrice: z.number().positive(),
  clientOrderId: z.string().nullable(),
  /** A take-profit selling or a move waiting for its old stop's cancel: the stop covers less on purpose. */
  takeProfit: z.unknown().optional(),
  pendingMove: z.unknown().optional(),
});
export type StopView = z.infer<typeof StopView>;

type FillView = { tradeId: string; qty: number; price: number; fee: number; feeAsset: string };

export type LedgerRead = {
  snapshot: LedgerSnapshot;
  slices: OrderSlice[];
  /** Net positions per symbol with entry and P&L, for position events. */
  net: Map<string, NetPosition>;
};

/** Our books for one venue: the order manager's slices and fills, the stops, the last run's state. */
export async function readLedger(
  venue: string,
  repos: {
    db: Kysely<Database>;
    slices: OrderSliceRepository;
    stops: ProtectiveStopRepository<StopView>;
    recon: ReconRepository;
    clock: Clock;
    policy: Pick<ReconPolicy, 'inFlightGraceMs'>;
  },
  baseline: Record<string, number> | null,
): Promise<LedgerRead> {
  const slices = await repos.slices.ofVenue(venue);
  const changed = await updateTimes(repos.db, venue, repos.clock.now() - repos.policy.inFlightGraceMs);
  const net = foldPositions(slices);
  const tradeKeys = new Set(
    slices.flatMap((s) => (s.fills as FillView[]).map((f) => tradeKey(s.symbol, f.tradeId))),
  );
  const stops = await readStops(venue, repos.stops);
  return {
    slices,
    net,
    snapshot: {
      venue,
      orders: slices.map((s) => toLedgerOrder(s, changed.get(s.clientOrderId) ?? 0)),
      tradeKeys,
      positions: Object.fromEntries([...net].map(([symbol, p]) => [symbol, signed(p)])),
      stops,
      balances: baseline,
      acknowledged: acknowledgedKeys(await repos.recon.settledWith(venue, 'leave')),
      // Kept in bot_state by the run (Repairs), which fills it in.
      orphanStopsSeen: new Set(),
    },
  };
}

/** The stops service's active stop records for the venue, as reconciliation compares them. */
export async function readStops(
  venue: string,
  stops: ProtectiveStopRepository<StopView>,
): Promise<LedgerStop[]> {
  return (await stops.active(venue)).map((s) => ({
    positionId: s.positionId,
    symbol: s.symbol,
    clientOrderId: s.clientOrderId,
    qty: s.qty,
    stopPrice: s.stopPrice,
    resizing: (s.takeProfit ?? null) !== null || (s.pendingMove ?? null) !== null,
  }));
}

/** Positions are folds over our fills, as the order manager builds them. */
export function foldPositions(slices: readonly OrderSlice[]): Map<string, NetPosition> {
  const net = new Map<string, NetPosition>();
  for (const slice of slices)
    for (const f of slice.fills as FillView[])
      net.set(
        slice.symbol,
        applyFill(net.get(slice.symbol) ?? FLAT, positionFill(slice.symbol, slice.side, f)),
      );
  return net;
}

export function signed(p: NetPosition): number {
  return Number((p.side === 'long' ? p.qty : -p.qty).toFixed(12));
}

/**
 * When each slice last changed, for those the in-flight grace may spare: every order in flight (one
 * sent moments ago may not be known to the venue yet) and any order changed since `since` (an entry
 * filled moments ago may not have its stop record saved yet). Every other slice changed long enough ago.
 */
async function updateTimes(db: Kysely<Database>, venue: string, since: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('order_slices')
    .select(['client_order_id', 'updated_at'])
    .where('exchange', '=', venue)
    .where((eb) => eb.or([eb('status', 'in', ['sending', 'open']), eb('updated_at', '>=', new Date(since))]))
    .execute();
  return new Map(rows.map((r) => [r.client_order_id, new Date(r.updated_at).getTime()]));
}

/**
 * Our orders on the trade's market that may be its venue order, read now: the one recorded under its
 * venue order id, and those `sending` whose venue order id is not recorded yet.
 */
export async function ordersThatMayOwn(
  db: Kysely<Database>,
  venue: string,
  trade: { symbol: string; venueOrderId: string },
): Promise<Array<{ clientOrderId: string; venueOrderId: string | null }>> {
  const rows = await db
    .selectFrom('order_slices')
    .select(['client_order_id', 'venue_order_id'])
    .where('exchange', '=', venue)
    .where('symbol', '=', trade.symbol)
    .where((eb) =>
      eb.or([
        eb('venue_order_id', '=', trade.venueOrderId),
        eb.and([eb('status', '=', 'sending'), eb('venue_order_id', 'is', null)]),
      ]),
    )
    .execute();
  return rows.map((r) => ({ clientOrderId: r.client_order_id, venueOrderId: r.venue_order_id }));
}

function toLedgerOrder(s: OrderSlice, updatedAt: number): LedgerOrder {
  return {
    clientOrderId: s.clientOrderId,
    venueOrderId: s.venueOrderId,
    symbol: s.symbol,
    side: s.side,
    qty: s.qty,
    status: s.status,
    filledQty: s.filledQty,
    updatedAt,
  };
}
