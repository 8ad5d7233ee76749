import type { ExchangeSim } from '@ballast/exchange-sim';
import { binanceClient } from '@ballast/exchange-sim/testing';

/** The live venue's config (Binance through ccxt) trading the simulator's account. */
export function simVenueConfig(sim: ExchangeSim, account: { apiKey: string; secret: string }) {
  return { venue: 'binance', exchangeId: 'binance', baseUrl: sim.restUrl, credentials: account };
}

/** A ccxt binance client pointed at the simulator: the venue's own view, independent of our tables. */
export function simClient(sim: ExchangeSim, apiKey: string, secret: string) {
  return binanceClient(sim, { apiKey, secret });
}

export type VenueOrderView = { clientOrderId: string; filled: number };

/**
 * Every BTC/USDT order the venue traded or holds open, with the quantity its trades add up to
 * (the simulator has no allOrders endpoint: orders are found through myTrades and openOrders).
 */
export async function ordersOnVenue(
  sim: ExchangeSim,
  apiKey: string,
  secret: string,
): Promise<VenueOrderView[]> {
  const ex = simClient(sim, apiKey, secret);
  const trades = await ex.fetchMyTrades('BTC/USDT');
  const filled = new Map<string, number>();
  for (const t of trades) filled.set(t.order ?? '', (filled.get(t.order ?? '') ?? 0) + (t.amount ?? 0));
  const views: VenueOrderView[] = [];
  for (const [id, qty] of filled) {
    const order = await ex.fetchOrder(String(id), 'BTC/USDT');
    views.push({ clientOrderId: order.clientOrderId ?? '', filled: qty });
  }
  for (const o of await ex.fetchOpenOrders('BTC/USDT'))
    if (!filled.has(o.id ?? '')) views.push({ clientOrderId: o.clientOrderId ?? '', filled: 0 });
  return views;
}
