import type { Fill } from '@ballast/contracts';
import { isFlattenIntent, orderOwner, sumLots } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import type { VenueOrder } from '@ballast/exchange';
import { type OrderContext, OrderPart } from './order-context';
import type { VenueOrders } from './venue-orders';

/**
 * Cancels on the venue: one order (a `cancel` command), or every order of ours resting there (kill,
 * cancel_all); what the venue answers is applied to the slice. Whose an order is, its client id says.
 */
export class Cancels extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly venueOrders: VenueOrders,
  ) {
    super(ctx);
  }

  /**
   * Cancels our orders resting on the venue (kill, cancel_all). The venue lists the stops service's
   * protective stops too: they stay, the positions they protect being open (see orderOwner), as do
   * orders not placed under our prefix.
   */
  async cancelOpen(why: string): Promise<number> {
    const open = await this.deps.venue.openOrders();
    const ours = open.filter((o) => this.ownerOf(o.clientOrderId) === 'orders');
    for (const order of ours) await this.cancelOne(order.symbol, order.clientOrderId);
    this.deps.log.info(
      { cancelled: ours.length, left: open.length - ours.length, why },
      'open orders cancelled',
    );
    return ours.length;
  }

  /**
   * A `cancel_all`: every order of ours not sent yet (a TWAP's later slices, a close's later chunks) is
   * cancelled unsent, announced cancelled, then those resting on the venue are cancelled. The planned
   * slices used to be left, and went out when due after the operator had cancelled everything. A kill's
   * flatten closes stay (the kill confirms flat itself); the kill does not come here: its exits go out.
   */
  async cancelAll(why: string): Promise<void> {
    const planned = (await this.deps.slices.withStatus(['planned'])).filter(
      (s) => !isFlattenIntent(s.intentId),
    );
    if (planned.length > 0) {
      await this.ctx.cancelUnsent(planned, null, `cancelled before it was sent: ${why}`);
      this.deps.log.info(
        { slices: planned.map((s) => s.clientOrderId), why },
        'planned orders cancelled unsent',
      );
    }
    await this.cancelOpen(why);
  }

  ownerOf(clientOrderId: string) {
    return orderOwner(clientOrderId, this.deps.config.CLIENT_ID_PREFIX);
  }

  /**
   * An `ord.cmd` cancel of one order of ours: what is left planned of its intent (the order itself not
   * sent yet, a TWAP's later slices, a close's later chunks) is cancelled unsent, then the order is
   * cancelled on the venue. The venue knows nothing of an order not sent yet, so the cancel used to
   * change nothing and the order went out when due: a TWAP named by any of its slices ran to its end.
   * A slice still `sending` is left: its send may land, and the venue's answer is applied as it comes.
   */
  async cancelCommand(symbol: string, id: string): Promise<void> {
    const named = await this.deps.slices.get(id);
    if (named && named.exchange === this.deps.venue.id) {
      const planned = (await this.deps.slices.ofIntent(named.intentId)).filter((s) => s.status === 'planned');
      if (planned.length > 0) {
        await this.ctx.cancelUnsent(planned, null, `cancelled before it was sent: ord.cmd cancel of ${id}`);
        this.deps.log.info(
          { clientOrderId: id, intentId: named.intentId, slices: planned.map((s) => s.clientOrderId) },
          'planned orders of a cancelled order: cancelled unsent',
        );
      }
    }
    await this.cancelOne(symbol, id);
  }

  async cancelOne(symbol: string, id: string): Promise<void> {
    const result = await this.deps.venue.cancel(symbol, id);
    const slice = await this.deps.slices.get(id);
    if (!slice || !result) return;
    const order = await this.withNewFills(slice, result);
    if (order) await this.venueOrders.applyVenueOrder(slice, order);
  }

  /**
   * The cancelled order as it is applied. A cancel's answer says how much the order filled, not by which
   * trades (Binance's carries executedQty only): when it shows more filled than our slice booked, the
   * order is read with its fills, each booked once by the usual fill path; the slice is closed after
   * this and never read again, so fills left out here would be in no position. Unreadable now: the slice
   * stays open, for the refresh loop to read it with its fills.
   */
  private async withNewFills(slice: OrderSlice, cancelled: VenueOrder): Promise<VenueOrder | undefined> {
    const booked = sumLots((slice.fills as Fill[]).map((f) => f.qty));
    if (!(cancelled.filledQty > booked)) return { ...cancelled, fills: [] };
    try {
      const order = await this.deps.venue.fetchByClientId(slice.symbol, slice.clientOrderId);
      if (order) return order;
    } catch (err) {
      this.deps.log.warn({ err, clientOrderId: slice.clientOrderId }, 'cancelled order unreadable');
    }
    this.deps.log.warn(
      { clientOrderId: slice.clientOrderId, filledQty: cancelled.filledQty, booked },
      'cancelled order filled more than booked and its fills are unread: left open for the refresh loop',
    );
    this.ctx.mayHaveOpen = true;
    return undefined;
  }
}
