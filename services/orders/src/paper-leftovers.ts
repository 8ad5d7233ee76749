import type { Clock } from '@ballast/contracts';
import { orderOver } from '@ballast/core';
import { BotStateRepository, type Database, type OrderSlice, PaperAccountRepository } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import { StartRefusedError, type VenueKind, VenueKindRecord } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { foldSlices } from './positions';

/** A paper position still open under the account id a live start would take over. */
export interface PaperPosition {
  symbol: string;
  side: 'long' | 'short';
  qty: number;
}

/** A paper order not over (planned, being sent or resting): a live start would send or follow it. */
export interface PaperOrderInFlight {
  clientOrderId: string;
  symbol: string;
  status: string;
}

/**
 * A live start refused because the database still holds the paper account's open positions or orders
 * under the same account id (ORDERS_VENUE): the live service would rebuild them as its own and close,
 * or send, them on the real account (ADR 22).
 */
export class PaperLeftoversError extends StartRefusedError {
  override readonly name = 'PaperLeftoversError';
  readonly reason = 'paper_positions_open';

  constructor(
    readonly venue: string,
    readonly positions: readonly PaperPosition[],
    readonly orders: readonly PaperOrderInFlight[],
  ) {
    const named = [
      ...positions.map((p) => `position ${p.symbol} ${p.side} ${p.qty}`),
      ...orders.map((o) => `order ${o.clientOrderId} ${o.symbol} ${o.status}`),
    ];
    super(
      `live start on ${venue} refused: the paper account under the same id still holds ${named.join(', ')}; ` +
        'flatten on paper first (`pnpm ballast kill --flatten` while ORDERS_VENUE_KIND=paper), wait for the ' +
        'positions to close, start live, then `pnpm ballast resume --confirm`: the paper history is kept',
    );
  }
}

/**
 * Refuses a live start while the paper account left positions open, or orders not over, under the
 * venue's id. A slice is the paper account's when the paper broker stored its venue order id; one not
 * sent yet has none, and is the paper account's when the service last started on paper (or, nothing
 * recorded: a database from before the record, when the newest order sent was the paper broker's, or
 * none was sent and the paper broker holds that account).
 */
export async function assertNoPaperLeftovers(deps: {
  db: Kysely<Database>;
  clock: Clock;
  venue: OrderVenue;
  slices: () => Promise<OrderSlice[]>;
}): Promise<void> {
  const { db, clock, venue } = deps;
  const paper = new PaperAccountRepository(db, clock);
  const paperIds = await paper.orderIds(venue.id);
  const ours = (await deps.slices()).filter((s) => s.exchange === venue.id);
  const last = (await venueKinds(db, clock, venue.id).last()) ?? newestSentKind(ours, paperIds);
  const unsentArePaper = last ? last === 'paper' : await paper.held(venue.id);
  const slices = ours.filter((s) => (s.venueOrderId ? paperIds.has(s.venueOrderId) : unsentArePaper));
  if (slices.length === 0) return;
  const book = await foldSlices(slices, (symbol) => venue.marketRules(symbol).catch(() => undefined));
  const positions: PaperPosition[] = [];
  for (const symbol of new Set(slices.map((s) => s.symbol))) {
    const position = book.position(venue.id, symbol);
    if (position && position.qty > 0) positions.push({ symbol, side: position.side, qty: position.qty });
  }
  const orders = slices
    .filter((s) => !orderOver(s.status, s.filledQty, s.qty))
    .map((s) => ({ clientOrderId: s.clientOrderId, symbol: s.symbol, status: s.status }));
  if (positions.length > 0 || orders.length > 0) throw new PaperLeftoversError(venue.id, positions, orders);
}

/**
 * Who sent the newest order that reached a venue (slices in the order they were recorded): on a
 * database from before the record, a live account's TWAP slices still to send are its own.
 */
function newestSentKind(slices: readonly OrderSlice[], paperIds: ReadonlySet<string>): VenueKind | undefined {
  const id = slices.findLast((s) => s.venueOrderId !== null)?.venueOrderId;
  if (!id) return undefined;
  return paperIds.has(id) ? 'paper' : 'ccxt';
}

/** Which kind of venue the orders service last started on under `venue`. */
export function venueKinds(db: Kysely<Database>, clock: Clock, venue: string): VenueKindRecord {
  return new VenueKindRecord(new BotStateRepository(db, clock), 'orders', venue);
}
