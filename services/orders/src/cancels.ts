import { orderOwner } from '@ballast/core';
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

  ownerOf(clientOrderId: string) {
    return orderOwner(clientOrderId, this.deps.config.CLIENT_ID_PREFIX);
  }

  async cancelOne(symbol: string, id: string): Promise<void> {
    const result = await this.deps.venue.cancel(symbol, id);
    const slice = await this.deps.slices.get(id);
    if (slice && result) await this.venueOrders.applyVenueOrder(slice, { ...result, fills: [] });
  }
}
