import { describe, expect, it } from 'vitest';
import type { DecidedIntent } from './decided-intents';
import { pendingAtStart, type RecordedEntryOrder } from './recorded-entry-orders';

const T0 = Date.UTC(2022, 0, 10, 12);
const TTL = 300_000;

/** Risk's approval of 0.01 BTC at 58,000, stop 57,400, decided a minute before T0. */
const approval = (intentId: string, over: Partial<DecidedIntent> = {}): DecidedIntent => ({
  intentId,
  candidate: { strategy: 'trend', exchange: 'binance', symbol: 'BTC-USDT', side: 'long' },
  verdict: {
    ok: true,
    qty: 0.01,
    entry: 58_000,
    stop: 57_400,
    riskAmount: 6,
    notional: 580,
    scaledBy: 1,
    cappedBy: null,
  },
  expiresAt: T0 - 60_000 + TTL,
  released: false,
  ...over,
});

const order = (clientOrderId: string, over: Partial<RecordedEntryOrder> = {}): RecordedEntryOrder => ({
  intentId: 'in-twap',
  strategy: 'trend',
  clientOrderId,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  qty: 0.01,
  filledQty: 0,
  price: null,
  dueAt: T0,
  live: true,
  ...over,
});

describe('pendingAtStart', () => {
  it("reserves what a TWAP's live slices have not filled, from its first slice's time, its finished slices settled", () => {
    const twap = [
      order('bl-0', { live: false, filledQty: 0.01, price: 58_000 }),
      order('bl-1', { filledQty: 0.004, price: 58_010, dueAt: T0 + 12_000 }),
      order('bl-2', { dueAt: T0 + 24_000 }),
      order('bl-3', { live: false, dueAt: T0 + 36_000 }),
    ];
    expect(pendingAtStart(twap, [], TTL, T0)).toEqual([
      {
        intentId: 'in-twap',
        strategy: 'trend',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: expect.closeTo(0.016, 12),
        entry: 58_000,
        stop: 0,
        expiresAt: T0 + TTL,
        settled: ['bl-0', 'bl-3'],
      },
    ]);
  });

  it('reserves nothing for an intent whose orders are all finished, and leaves an unknown price at 0', () => {
    const orders = [
      order('bl-done', { intentId: 'in-done', live: false, filledQty: 0.01 }),
      order('bl-sell', { intentId: 'in-sell', side: 'sell' }),
    ];
    expect(pendingAtStart(orders, [], TTL, T0)).toEqual([
      expect.objectContaining({ intentId: 'in-sell', side: 'short', qty: 0.01, entry: 0 }),
    ]);
  });

  it('reserves an approval no order was recorded for yet, whole, with its stop, price and expiry', () => {
    expect(pendingAtStart([], [approval('in-new')], TTL, T0)).toEqual([
      {
        intentId: 'in-new',
        strategy: 'trend',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: 0.01,
        entry: 58_000,
        stop: 57_400,
        expiresAt: T0 - 60_000 + TTL,
        settled: [],
      },
    ]);
  });

  it("takes a remembered approval's stop, price and expiry for what its recorded orders left", () => {
    const orders = [
      order('bl-0', { intentId: 'in-twap', live: false, filledQty: 0.005 }),
      order('bl-1', { intentId: 'in-twap', qty: 0.005 }),
    ];
    expect(pendingAtStart(orders, [approval('in-twap')], TTL, T0)).toEqual([
      expect.objectContaining({
        intentId: 'in-twap',
        qty: 0.005,
        entry: 58_000,
        stop: 57_400,
        expiresAt: T0 - 60_000 + TTL,
        settled: ['bl-0'],
      }),
    ]);
  });

  it('reserves nothing for a released, expired or denied intent, nor for an approval whose orders are over', () => {
    const denied: DecidedIntent = {
      ...approval('in-denied'),
      verdict: { ok: false, reason: 'max_position', limit: 1_500, value: 1_600, detail: 'test' },
    };
    const decided = [
      approval('in-refused', { released: true }),
      approval('in-old', { expiresAt: T0 }),
      denied,
      approval('in-filled'),
    ];
    const orders = [order('bl-filled', { intentId: 'in-filled', live: false, filledQty: 0.01 })];
    expect(pendingAtStart(orders, decided, TTL, T0)).toEqual([]);
  });

  it('lists the reservations oldest first', () => {
    const orders = [order('bl-late', { intentId: 'in-late', dueAt: T0 })];
    const pending = pendingAtStart(orders, [approval('in-early')], TTL, T0);
    expect(pending.map((p) => p.intentId)).toEqual(['in-early', 'in-late']);
  });
});
