import { type OrderOwner, orderOwner } from '../execution/order-owner';
import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type {
  LedgerOrder,
  LedgerOrderStatus,
  LedgerSnapshot,
  VenueOrderState,
  VenueSnapshot,
} from './recon-snapshot';
import { unsellable } from './stop-drifts';

const IN_FLIGHT: readonly LedgerOrderStatus[] = ['sending', 'open'];
/** Orders our records hold over without a fill to come: none of them may rest on the venue. */
const OVER: readonly LedgerOrderStatus[] = ['cancelled', 'rejected', 'aborted'];

/**
 * Open orders on the venue that we do not know: ours by prefix are adopted, a protective stop of
 * ours that no stop record names is an orphan (never an order of the orders service), others per
 * policy. One our records hold over (refused, cancelled) is cancelled: it landed after the orders
 * service gave up on it, or the venue found it after reconciliation took it for cancelled, and
 * resting it may fill into a position nothing decided and no room of risk's holds.
 * `positions`: ours after this run's missing fills.
 */
export function findUnknownOrders(
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  positions: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): Drift[] {
  const known = new Map(ledger.orders.map((o) => [o.clientOrderId, o]));
  const stops = new Set(ledger.stops.flatMap((s) => (s.clientOrderId ? [s.clientOrderId] : [])));
  const drifts: Drift[] = [];
  for (const order of venue.openOrders) {
    const ours = known.get(order.clientOrderId);
    if (ours && OVER.includes(ours.status)) {
      drifts.push(restingOver(order, ours));
      continue;
    }
    if (ours || stops.has(order.clientOrderId)) continue;
    const owner = unknownOwner(order.clientOrderId, policy.clientIdPrefix);
    if (owner === 'stops') {
      drifts.push(orphanStop(order, venue, ledger, positions, policy));
      continue;
    }
    const prefixed = owner === 'orders';
    const key = unknownOrderKey(order.symbol, order.venueOrderId);
    if (!prefixed && ledger.acknowledged.has(key)) continue;
    drifts.push({
      kind: 'unknown_order',
      key,
      symbol: order.symbol,
      order,
      action: prefixed ? 'adopt' : policy.externalOrders,
      evidence: prefixed
        ? `open ${order.side} ${order.qty} ${order.symbol} ${order.clientOrderId} carries our prefix but is not in our records`
        : `open ${order.side} ${order.qty} ${order.symbol} ${order.clientOrderId} was placed outside Ballast`,
    });
  }
  return drifts;
}

/**
 * Whose an open order no record names is. With no prefix configured, an order of the orders service's
 * cannot be told from one placed outside Ballast (it reads as `other`), but a protective stop still can
 * (`s<derived id>`): taken for an external order, it was cancelled at first sight under
 * RECON_EXTERNAL_ORDERS=cancel, whatever position it protected, and acknowledged for good under `leave`.
 */
function unknownOwner(clientOrderId: string, prefix: string): OrderOwner {
  const owner = orderOwner(clientOrderId, prefix);
  return prefix === '' && owner === 'orders' ? 'other' : owner;
}

function restingOver(order: VenueOrderState, ours: LedgerOrder): Drift {
  return {
    kind: 'unknown_order',
    key: unknownOrderKey(order.symbol, order.venueOrderId),
    symbol: order.symbol,
    order,
    action: 'cancel',
    evidence: `open ${order.side} ${order.qty} ${order.symbol} ${order.clientOrderId} (filled ${order.filledQty}) rests on the venue but is recorded ${ours.status}`,
  };
}

/**
 * A stop of ours no stop record names. It is cancelled only when it cannot be protecting anything:
 * our position and the venue's are flat in its market, no order of ours there is planned, in flight
 * or awaiting fills (its stop may be placed before its record is saved), and a previous run found it
 * orphaned too. Otherwise it is flagged for the operator (or the stops service): a stop cancelled
 * blind may be the only protection resting.
 */
function orphanStop(
  order: VenueOrderState,
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  positions: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): Drift {
  const key = `orphan-stop:${order.symbol}:${order.clientOrderId}`;
  const guarding = mayProtect(order.symbol, venue, ledger, positions, policy);
  const why = guarding ?? (ledger.orphanStopsSeen.has(key) ? null : 'first seen this run');
  const stop = `stop ${order.clientOrderId} (${order.side} ${order.qty} ${order.symbol}) rests on the venue and no stop record names it`;
  return {
    kind: 'orphan_stop',
    key,
    symbol: order.symbol,
    order,
    action: why ? 'flag' : 'cancel',
    evidence: why ? `${stop}: not cancelled, ${why}` : `${stop}, with nothing in its market to protect`,
  };
}

const PENDING: readonly LedgerOrderStatus[] = ['planned', ...IN_FLIGHT];

/** Why a stop in `symbol` may be protecting a position (ours, the venue's, or one being entered); null if nothing. */
function mayProtect(
  symbol: string,
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  positions: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): string | null {
  // Dust no order can sell (an exit closed on it) is flat too: its stop can protect nothing, and it
  // could never be cancelled while that dust stayed.
  const flat = (qty: number) =>
    Math.abs(qty) <= (policy.positionTolerance[symbol] ?? 0) || unsellable(policy, symbol, Math.abs(qty));
  if (!flat(positions[symbol] ?? 0)) return `our position in ${symbol} is ${positions[symbol]}`;
  const theirs = venue.positions?.[symbol];
  if (theirs === undefined) return `the venue's position in ${symbol} is not known`;
  if (!flat(theirs)) return `the venue holds ${theirs} ${symbol}`;
  const pending = ledger.orders.find((o) => o.symbol === symbol && PENDING.includes(o.status));
  if (pending) return `our order ${pending.clientOrderId} in ${symbol} is ${pending.status}`;
  const prefix = policy.clientIdPrefix;
  const resting = venue.openOrders.find(
    (o) => o.symbol === symbol && prefix !== '' && orderOwner(o.clientOrderId, prefix) === 'orders',
  );
  if (resting) return `our order ${resting.clientOrderId} rests in ${symbol}`;
  return null;
}

/**
 * An unknown order's drift key: its market and venue order id, since Binance numbers orders per
 * market (ETH-USDT's order 1 and BTC-USDT's order 1 are two orders).
 */
export function unknownOrderKey(symbol: string, venueOrderId: string): string {
  return `order:${symbol}:${venueOrderId}`;
}

/**
 * The drift keys settled for good, from the recon log: an external order left alone before keys
 * named the market (`order:<venue order id>`) is still acknowledged, under its market, read from the
 * order the entry recorded; it never silences another market's order of the same number.
 */
export function acknowledgedKeys(settled: ReadonlyArray<{ driftKey: string; after: unknown }>): Set<string> {
  const keys = new Set<string>();
  for (const { driftKey, after } of settled) {
    const legacy = /^order:([^:]+)$/.exec(driftKey);
    if (!legacy) keys.add(driftKey);
    else {
      const symbol = (after as { order?: { symbol?: unknown } } | null)?.order?.symbol;
      if (typeof symbol === 'string') keys.add(unknownOrderKey(symbol, legacy[1] as string));
    }
  }
  return keys;
}

/**
 * Our open or in-flight orders whose venue state differs: ours follows the venue's. `fills`: this
 * run's missing fills, which our records will hold once repaired.
 */
export function findOrderStates(
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  fills: readonly Drift[],
  policy: ReconPolicy,
): Drift[] {
  const open = new Map(venue.openOrders.map((o) => [o.clientOrderId, o]));
  const missing = missingQty(fills);
  const drifts: Drift[] = [];
  for (const order of ledger.orders) {
    if (!IN_FLIGHT.includes(order.status)) continue;
    // Sent, its answer not recorded yet: the orders service records it (whatever the venue says)
    // within the grace; a correction now would race it. Trades are still counted from the venue.
    if (order.status === 'sending' && policy.now - order.updatedAt < policy.inFlightGraceMs) continue;
    const onVenue = open.get(order.clientOrderId);
    const drift = onVenue
      ? stillOpen(order, onVenue)
      : closedOrUnknown(order, venue, missing.get(order.clientOrderId) ?? 0, policy);
    if (drift) drifts.push(drift);
  }
  return drifts;
}

function stillOpen(order: LedgerOrder, onVenue: VenueOrderState): Drift | undefined {
  if (order.status === 'open') return undefined;
  return stateDrift(
    order,
    onVenue,
    'open',
    `${order.clientOrderId} is open on the venue but recorded as ${order.status}`,
  );
}

/** Quantity of this run's missing fills per order of ours. */
function missingQty(fills: readonly Drift[]): Map<string, number> {
  const qty = new Map<string, number>();
  for (const d of fills)
    if (d.kind === 'missing_fill' && d.clientOrderId)
      qty.set(d.clientOrderId, (qty.get(d.clientOrderId) ?? 0) + d.trade.qty);
  return qty;
}

function closedOrUnknown(
  order: LedgerOrder,
  venue: VenueSnapshot,
  missing: number,
  policy: ReconPolicy,
): Drift | undefined {
  if (!(order.clientOrderId in venue.lookups)) return undefined;
  const seen = venue.lookups[order.clientOrderId] ?? null;
  if (seen) {
    const status = toLedgerStatus(seen);
    if (status === order.status) return undefined;
    const early = awaitingFills(order, seen, missing);
    if (early) return early;
    return stateDrift(
      order,
      seen,
      status,
      `the venue reports ${order.clientOrderId} ${seen.status} (filled ${seen.filledQty} of ${seen.qty}); we hold it ${order.status}`,
    );
  }
  if (order.status === 'sending') {
    // Sent, answer never recorded: the venue may still show it. Looked up again next run, never rejected.
    return {
      kind: 'order_state',
      key: `state:${order.clientOrderId}:await`,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      ours: order.status,
      oursFilledQty: order.filledQty,
      venue: null,
      action: 'await_venue',
      status: null,
      evidence: `${order.clientOrderId} was sent ${policy.now - order.updatedAt} ms ago and the venue does not know it yet`,
    };
  }
  // Binance can answer "order does not exist" just after it accepted an order: one recorded (or
  // changed) within the grace is looked for again next run, not declared cancelled while it rests.
  if (policy.now - order.updatedAt < policy.inFlightGraceMs) return undefined;
  return stateDrift(
    order,
    null,
    'cancelled',
    `${order.clientOrderId} is open in our records but unknown to the venue`,
  );
}

/**
 * The lookup, read after the trades, shows more filled than our fills and the trades read: set now,
 * the order would close with less filled than the venue's. Its trades are read next run, then its status.
 */
function awaitingFills(order: LedgerOrder, seen: VenueOrderState, missing: number): Drift | undefined {
  if (Number((seen.filledQty - order.filledQty - missing).toFixed(12)) <= 0) return undefined;
  return {
    kind: 'order_state',
    key: `state:${order.clientOrderId}:await-fills`,
    symbol: order.symbol,
    clientOrderId: order.clientOrderId,
    ours: order.status,
    oursFilledQty: order.filledQty,
    venue: seen,
    action: 'await_venue',
    status: null,
    evidence: `the venue reports ${order.clientOrderId} ${seen.status} (filled ${seen.filledQty}); its trades read so far fill ${order.filledQty + missing}: awaiting them`,
  };
}

function stateDrift(
  order: LedgerOrder,
  venue: VenueOrderState | null,
  status: LedgerOrderStatus,
  evidence: string,
): Drift {
  return {
    kind: 'order_state',
    key: `state:${order.clientOrderId}:${status}`,
    symbol: order.symbol,
    clientOrderId: order.clientOrderId,
    ours: order.status,
    oursFilledQty: order.filledQty,
    venue,
    action: 'set_status',
    status,
    evidence,
  };
}

function toLedgerStatus(order: VenueOrderState): LedgerOrderStatus {
  if (order.status === 'accepted' || order.status === 'partially_filled') return 'open';
  return order.status;
}
