import { describe, expect, it } from 'vitest';
import { NOW, pendingEntry, STRATEGY } from './entry.fixture';
import { expirePending, pricePending, releasePending, reservePending } from './pending-entries';
import { applyEntryFill } from './risk-reducers';
import { initialRiskState, type PendingEntry, type RiskState } from './risk-state';

const TTL = 300_000;
const pending = pendingEntry;

const reserved = (...entries: Array<Omit<PendingEntry, 'settled'>>): RiskState =>
  entries.reduce(reservePending, initialRiskState(10_000, NOW));

const left = (state: RiskState) => state.pending.map((p) => [p.intentId, p.qty]);

describe('pending entries', () => {
  it('reserves an intent once: a redelivered approval changes nothing', () => {
    const once = reserved(pending('in-a'));
    expect(reservePending(once, pending('in-a', { qty: 3 }))).toBe(once);
    expect(once.pending).toEqual([{ ...pending('in-a'), settled: [] }]);
  });

  it("releases what a refused order leaves unfilled, once per order: a TWAP's other slices stay reserved", () => {
    let state = reserved(pending('in-a'));
    const slice = { intentId: 'in-a', clientOrderId: 'bl-a-0', unfilledQty: 2 };
    state = releasePending(state, slice);
    expect(left(state)).toEqual([['in-a', 8]]);
    expect(releasePending(state, slice)).toBe(state);
    state = releasePending(state, { intentId: 'in-a', clientOrderId: 'bl-a-1', unfilledQty: 8 });
    expect(state.pending).toEqual([]);
  });

  it("ignores a refusal of an order no reservation knows (an exit's, or one already lapsed)", () => {
    const state = reserved(pending('in-a'));
    expect(releasePending(state, { intentId: 'in-x', clientOrderId: 'bl-x-0', unfilledQty: 10 })).toBe(state);
  });

  it('lapses a reservation at its expiry, not before', () => {
    const state = reserved(pending('in-a'), pending('in-b', { expiresAt: NOW + 2 * TTL }));
    expect(expirePending(state, NOW + TTL - 1)).toBe(state);
    expect(left(expirePending(state, NOW + TTL))).toEqual([['in-b', 10]]);
  });
});

describe('applyEntryFill and pending entries', () => {
  const fill = (qty: number, over: { symbol?: string; side?: 'long' | 'short' } = {}) => ({
    positionId: `binance:${over.symbol ?? 'SOL-USDT'}`,
    exchange: 'binance',
    symbol: over.symbol ?? 'SOL-USDT',
    side: over.side ?? ('long' as const),
    qty,
    price: 100,
    stop: 90,
    strategy: STRATEGY,
  });

  it('takes a fill off the oldest reservations of its market and side: the position counts it instead', () => {
    const state = reserved(
      pending('in-a', { qty: 4 }),
      pending('in-eth', { symbol: 'ETH-USDT' }),
      pending('in-short', { side: 'short' }),
      pending('in-b', { qty: 6 }),
    );
    const after = applyEntryFill(state, fill(5));
    expect(left(after)).toEqual([
      ['in-eth', 10],
      ['in-short', 10],
      ['in-b', 5],
    ]);
    expect(after.positions).toMatchObject([{ symbol: 'SOL-USDT', qty: 5 }]);
    expect(left(applyEntryFill(after, fill(5)))).toEqual([
      ['in-eth', 10],
      ['in-short', 10],
    ]);
  });

  it('leaves the reservations alone for a fill in a market none awaits', () => {
    const state = reserved(pending('in-a'));
    expect(applyEntryFill(state, fill(1, { symbol: 'BTC-USDT' })).pending).toBe(state.pending);
  });
});

describe('pricePending', () => {
  it('prices a reservation read back without a price at the touch it would take, and no other', () => {
    const state = reserved(
      pending('in-buy', { entry: 0 }),
      pending('in-sell', { entry: 0, side: 'short' }),
      pending('in-priced'),
      pending('in-eth', { entry: 0, symbol: 'ETH-USDT' }),
    );
    const book = { exchange: 'binance', symbol: 'SOL-USDT', bestBid: 99.5, bestAsk: 100.5 };
    expect(pricePending(state, book).pending.map((p) => [p.intentId, p.entry])).toEqual([
      ['in-buy', 100.5],
      ['in-sell', 99.5],
      ['in-priced', 100],
      ['in-eth', 0],
    ]);
    expect(pricePending(state, { ...book, bestAsk: undefined, bestBid: undefined })).toBe(state);
  });
});
