import type { PositionSide } from '@ballast/contracts';
import { releaseDecided } from './decided-intents';
import { inMarket, inMarketSide, type PendingEntry, type RiskState } from './risk-state';

// Pure folds of the entries risk approved and that have not filled yet (RiskState.pending). An entry
// is reserved when approved; its fills take it off as they show in the position (applyEntryFill), its
// refused or cancelled orders release what they will never fill, and it lapses at its expiry.

/** What is left is float noise next to what was taken off. */
const spent = (left: number, taken: number): boolean => left <= Math.max(left + taken, 0) * 1e-9;

/** Reserves an approved entry; one already reserved under its intent id stays as it is (a redelivery). */
export function reservePending(state: RiskState, entry: Omit<PendingEntry, 'settled'>): RiskState {
  if (state.pending.some((p) => p.intentId === entry.intentId)) return state;
  return { ...state, pending: [...state.pending, { ...entry, settled: [] }] };
}

/**
 * One of the intent's orders was refused or cancelled: what it left unfilled will not fill. Each order
 * is taken off once; an intent sent as several orders (TWAP) keeps the rest of its reservation. One
 * whose reservation is used up is remembered released: a restart does not reserve it again.
 */
export function releasePending(
  state: RiskState,
  order: { intentId: string; clientOrderId: string; unfilledQty: number },
): RiskState {
  const entry = state.pending.find((p) => p.intentId === order.intentId);
  if (!entry || entry.settled.includes(order.clientOrderId)) return state;
  const qty = entry.qty - Math.max(0, order.unfilledQty);
  if (spent(qty, order.unfilledQty))
    return {
      ...state,
      pending: state.pending.filter((p) => p !== entry),
      decided: releaseDecided(state.decided, order.intentId),
    };
  const pending = state.pending.map((p) =>
    p === entry ? { ...p, qty, settled: [...p.settled, order.clientOrderId] } : p,
  );
  return { ...state, pending };
}

/** Reservations whose expiry has come are dropped: their orders were lost or are not ours to wait for. */
export function expirePending(state: RiskState, now: number): RiskState {
  if (state.pending.every((p) => p.expiresAt > now)) return state;
  return { ...state, pending: state.pending.filter((p) => p.expiresAt > now) };
}

/**
 * A position grew by `qty` in a market and side: the oldest reservations there are taken off by as
 * much, since the position now counts it. Fills carry no intent id; the orders of one market fill
 * in the order they were approved closely enough, and any error is bounded by the expiry.
 */
export function fillPending(
  pending: readonly PendingEntry[],
  fill: { exchange: string; symbol: string; side: PositionSide; qty: number },
): readonly PendingEntry[] {
  const here = inMarketSide(fill);
  let left = fill.qty;
  const after: PendingEntry[] = [];
  for (const p of pending) {
    if (!here(p) || left <= 0) {
      after.push(p);
      continue;
    }
    const taken = Math.min(p.qty, left);
    left -= taken;
    if (!spent(p.qty - taken, taken)) after.push({ ...p, qty: p.qty - taken });
  }
  return after.length === pending.length && left === fill.qty ? pending : after;
}

/**
 * Prices the reservations of a market read back without a price (market orders recorded before a
 * restart) at the touch they would buy or sell at.
 */
export function pricePending(
  state: RiskState,
  market: { exchange: string; symbol: string; bestBid: number | undefined; bestAsk: number | undefined },
): RiskState {
  const touch = (side: PositionSide) => (side === 'long' ? market.bestAsk : market.bestBid) ?? 0;
  const here = inMarket(market);
  const unpriced = (p: PendingEntry) => p.entry <= 0 && here(p) && touch(p.side) > 0;
  if (!state.pending.some(unpriced)) return state;
  return {
    ...state,
    pending: state.pending.map((p) => (unpriced(p) ? { ...p, entry: touch(p.side) } : p)),
  };
}
