import type { Fill, RecordFill } from '@ballast/contracts';
import { orderOver, sumLots } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { type OrderContext, OrderPart } from './order-context';
import type { Positions } from './positions';

/** Orders recorded from reconciliation are never due: they are not ours to send. */
const NEVER_DUE = Number.MAX_SAFE_INTEGER;

/**
 * Fills reconciliation found on the venue (`record_fill` commands): booked once by venue trade id,
 * under the order they belong to (recorded first when it is not ours), announced and folded into the
 * position as the venue's own answers are.
 */
export class RecordedFills extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly positions: Positions,
  ) {
    super(ctx);
  }

  /**
   * A fill reconciliation found on the venue, or its position adjustment. This service is the one
   * writer of fills, and every venue answer is applied in the same serial turns, so a trade is
   * counted once (by its venue trade id) whichever path sees it first.
   */
  async recordFill(command: RecordFill, correlationId: string): Promise<void> {
    // A venue trade is booked once, whichever order reconciliation names: under a second order it
    // would count twice in the position.
    const { exchange, symbol, fill } = command;
    const holder = await this.deps.slices.holderOfTrade(exchange, symbol, fill.tradeId);
    if (holder && holder !== command.clientOrderId) {
      this.deps.log.warn(
        { clientOrderId: command.clientOrderId, holder, tradeId: fill.tradeId, origin: command.origin },
        'fill from reconciliation already booked under another order; not recorded again',
      );
      return;
    }
    const slice =
      (await this.deps.slices.get(command.clientOrderId)) ?? (await this.recordOrder(command, correlationId));
    const known = slice.fills as Fill[];
    if (known.some((f) => f.tradeId === command.fill.tradeId)) return;
    const fills = [...known, command.fill];
    const filledQty = sumLots(fills.map((f) => f.qty));
    const avgPrice = fills.reduce((s, f) => s + f.price * f.qty, 0) / filledQty;
    await this.deps.slices.update(slice.clientOrderId, {
      fills,
      filledQty,
      avgPrice,
      ...(command.venueOrderId ? { venueOrderId: command.venueOrderId } : {}),
    });
    this.deps.log.warn(
      { clientOrderId: slice.clientOrderId, tradeId: command.fill.tradeId, origin: command.origin },
      'fill recorded from reconciliation',
    );
    // Kept until it went out, as the venue's answers are (VenueOrders.applyVenueOrder): the command
    // delivered again finds the fill recorded and announces nothing.
    await this.ctx.announce(async () => {
      await this.announce(slice, command, filledQty, avgPrice);
      await this.positions.foldFill(slice, command.fill, orderOver(slice.status, filledQty, slice.qty));
      // Marked last: a stop before then announces it at the next start (VenueOrders.announceRecorded).
      await this.deps.slices.markAnnounced(slice.clientOrderId, fills.length);
      this.positions.announced(slice, [command.fill]);
    });
  }

  /** The order's event for the recorded fill, as the venue's own answer would have it. */
  private async announce(
    slice: OrderSlice,
    command: RecordFill,
    filledQty: number,
    avgPrice: number,
  ): Promise<void> {
    const status = filledQty >= slice.qty - 1e-12 ? 'filled' : 'partially_filled';
    await this.ctx.publishEvent(slice, `${slice.clientOrderId}|${status}|${command.fill.tradeId}`, status, {
      status,
      intentId: slice.intentId,
      clientOrderId: slice.clientOrderId,
      venueOrderId: command.venueOrderId ?? slice.venueOrderId,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: slice.side,
      type: slice.type,
      qty: Math.max(slice.qty, filledQty),
      filledQty,
      avgPrice,
      fill: command.fill,
      reason: null,
      detail: `reconciliation: ${command.origin}`,
    });
  }

  /** An order we never placed (external, a venue-side stop) or an adjustment, recorded as filled. */
  private async recordOrder(command: RecordFill, correlationId: string): Promise<OrderSlice> {
    const adjustment = command.origin === 'adjustment';
    await this.deps.slices.plan([
      {
        clientOrderId: command.clientOrderId,
        intentId: command.intentId,
        slice: 0,
        strategy: null,
        correlationId,
        exchange: command.exchange,
        symbol: command.symbol,
        side: command.side,
        type: adjustment ? 'market' : 'limit',
        qty: command.fill.qty,
        price: adjustment ? null : command.fill.price,
        reduceOnly: false,
        dueAt: NEVER_DUE,
      },
    ]);
    await this.deps.slices.update(command.clientOrderId, {
      status: 'filled',
      ...(command.venueOrderId ? { venueOrderId: command.venueOrderId } : {}),
      detail: `recorded from reconciliation (${command.origin})`,
    });
    const stored = await this.deps.slices.get(command.clientOrderId);
    if (!stored) throw new Error(`order ${command.clientOrderId} vanished after recording`);
    return stored;
  }
}
