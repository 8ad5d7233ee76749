import type { OrderEvent } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { type EntryOrders, entryOrderSeen, entryRefused, NO_ENTRY_ORDERS } from './entry-orders';

// BTCUSDT lot step on Binance spot (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const BTC_STEP = 0.00001;

type Seen = Pick<OrderEvent, 'status' | 'clientOrderId' | 'qty' | 'filledQty'>;
const fold = (events: readonly Seen[]): EntryOrders => events.reduce(entryOrderSeen, NO_ENTRY_ORDERS);
const refused = (clientOrderId: string, qty: number): Seen => ({
  status: 'rejected',
  clientOrderId,
  qty,
  filledQty: 0,
});
const cancelled = (clientOrderId: string, qty: number, filledQty = 0): Seen => ({
  status: 'cancelled',
  clientOrderId,
  qty,
  filledQty,
});
const filled = (clientOrderId: string, qty: number): Seen => ({
  status: 'filled',
  clientOrderId,
  qty,
  filledQty: qty,
});
const entry = { qty: 0.03, stepSize: BTC_STEP };

describe('entryRefused', () => {
  it('is false while a TWAP slice has not ended, true once every slice was refused or cancelled', () => {
    const first = fold([refused('s0', 0.01), cancelled('s1', 0.01)]);
    expect(first).toEqual({ filled: false, unfilled: { s0: 0.01, s1: 0.01 } });
    expect(entryRefused(first, entry)).toBe(false);
    expect(entryRefused(entryOrderSeen(first, cancelled('s2', 0.01)), entry)).toBe(true);
  });

  it('is false for an entry one slice of which filled, whatever its other slices came to', () => {
    const orders = fold([refused('s0', 0.01), filled('s1', 0.01), cancelled('s2', 0.01)]);
    expect(orders).toEqual({ filled: true, unfilled: { s0: 0.01, s2: 0.01 } });
    expect(entryRefused(orders, entry)).toBe(false);
  });

  it('is false for an order cancelled after a part filled', () => {
    const orders = fold([cancelled('s0', 0.03, 0.012)]);
    expect(orders).toEqual({ filled: true, unfilled: { s0: 0.018 } });
    expect(entryRefused(orders, entry)).toBe(false);
  });

  it('counts a repeated refusal once', () => {
    const once = fold([refused('s0', 0.01), refused('s1', 0.01)]);
    expect(entryOrderSeen(once, refused('s1', 0.01))).toBe(once);
    expect(entryRefused(once, entry)).toBe(false);
  });

  it('measures the slices against the approved quantity on the lot step, through float noise', () => {
    // Three slices of 0.00862 add up to 0.025859999999999998 in binary; an approved 0.025864 is
    // planned as 0.02586 on a 0.00001 step.
    const slices = fold([refused('s0', 0.00862), refused('s1', 0.00862), refused('s2', 0.00862)]);
    expect(entryRefused(slices, { qty: 0.02586, stepSize: BTC_STEP })).toBe(true);
    expect(entryRefused(slices, { qty: 0.025864, stepSize: BTC_STEP })).toBe(true);
    expect(entryRefused(slices, { qty: 0.02587, stepSize: BTC_STEP })).toBe(false);
  });

  it('is true for one order refused whole, and false before any order ended', () => {
    expect(entryRefused(fold([refused('s0', 0.03)]), entry)).toBe(true);
    expect(entryRefused(NO_ENTRY_ORDERS, { qty: 0, stepSize: BTC_STEP })).toBe(false);
    const accepted: Seen = { status: 'accepted', clientOrderId: 's0', qty: 0.03, filledQty: 0 };
    expect(entryOrderSeen(NO_ENTRY_ORDERS, accepted)).toBe(NO_ENTRY_ORDERS);
  });
});
