import { symbolAssets } from '@ballast/contracts';
import {
  type LedgerOrder,
  type LedgerStop,
  positionHolding,
  type VenueOrderState,
  type VenueSnapshot,
  type VenueTrade,
} from '@ballast/core';
import type { OrderVenue, VenueOrder } from '@ballast/exchange';
import { InconsistentVenueRead } from './recon-errors';

export type VenueRead = {
  snapshot: VenueSnapshot;
  /** Where the next run's trade reads start, per symbol. */
  cursors: Record<string, string | null>;
  /**
   * The venue's time just before the balances were read (ours where the venue has no other): the
   * trades up to it are in them. On the venue's clock, the one trade times are on.
   */
  balancesAt: number;
};

const IN_FLIGHT = new Set(['sending', 'open']);
/** Reads that saw trades land between the trade and balance reads are retried this often. */
const CONSISTENT_READ_ATTEMPTS = 3;

/**
 * Everything reconciliation compares, read from the venue. Trades are read before and after the
 * balances: a trade landing in between would count in one and not the other, so the read is redone,
 * and when trades still land after the last attempt the read fails (InconsistentVenueRead): neither
 * set of trades is known to match the balances, so nothing may be corrected from it.
 * Spot venues keep no positions: the base asset held (less holdings that are not positions) is one.
 */
export async function readVenue(
  venue: OrderVenue,
  input: {
    symbols: readonly string[];
    cursors: Readonly<Record<string, string | null>>;
    orders: readonly LedgerOrder[];
    stops: readonly LedgerStop[];
    baseHoldings: Readonly<Record<string, number>>;
    now: () => number;
  },
): Promise<VenueRead> {
  for (let attempt = 1; ; attempt++) {
    const first = await readTrades(venue, input.symbols, input.cursors);
    const balancesAt = venue.serverTime ? await venue.serverTime() : input.now();
    const balances = await venue.balances();
    const after = await readTrades(venue, input.symbols, first.cursors);
    if (after.trades.length > 0) {
      if (attempt < CONSISTENT_READ_ATTEMPTS) continue;
      throw new InconsistentVenueRead(attempt);
    }
    const trades = first.trades;
    const openOrders = (await venue.openOrders()).map(toState);
    const lookups = await lookUp(venue, input.orders, openOrders);
    return {
      snapshot: {
        venue: venue.id,
        balances,
        openOrders,
        trades,
        positions: spotPositions(input.symbols, balances, input.baseHoldings),
        lookups,
      },
      cursors: after.cursors,
      balancesAt,
    };
  }
}

async function readTrades(
  venue: OrderVenue,
  symbols: readonly string[],
  cursors: Readonly<Record<string, string | null>>,
): Promise<{ trades: VenueTrade[]; cursors: Record<string, string | null> }> {
  const trades: VenueTrade[] = [];
  const next: Record<string, string | null> = { ...cursors };
  for (const symbol of symbols) {
    const page = await venue.tradesSince(symbol, cursors[symbol] ?? null);
    trades.push(...page.trades);
    next[symbol] = page.cursor;
  }
  return { trades, cursors: next };
}

/** Our open or in-flight orders the venue does not list as open: asked for by client id. */
async function lookUp(
  venue: OrderVenue,
  orders: readonly LedgerOrder[],
  open: readonly VenueOrderState[],
): Promise<Record<string, VenueOrderState | null>> {
  const openIds = new Set(open.map((o) => o.clientOrderId));
  const lookups: Record<string, VenueOrderState | null> = {};
  for (const order of orders) {
    if (!IN_FLIGHT.has(order.status) || openIds.has(order.clientOrderId)) continue;
    const seen = await venue.fetchByClientId(order.symbol, order.clientOrderId);
    lookups[order.clientOrderId] = seen ? toState(seen) : null;
  }
  return lookups;
}

function spotPositions(
  symbols: readonly string[],
  balances: Readonly<Record<string, number>>,
  holdings: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const symbol of symbols) out[symbol] = positionHolding(balances, holdings, symbolAssets(symbol).base);
  return out;
}

function toState(o: VenueOrder): VenueOrderState {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    symbol: o.symbol,
    side: o.side,
    status: o.status,
    qty: o.qty,
    price: o.price,
    filledQty: o.filledQty,
  };
}
