import type { BookLevel } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { binanceSpotRules } from '../risk/real-market.fixture';
import { SeededRandom } from '../time';
import { walkBook } from './book-walk';
import { clientOrderId, derivedUuid } from './client-order-id';
import { sumLots } from './lot-units';
import { executeRestingLimit, executeTaker } from './paper-fill-model';
import { applyFill, FLAT, opensPosition, positionFill, positionOwner } from './position-fold';
import { checkSlippage } from './slippage-guard';
import { smallestOrderQty } from './smallest-order';
import { planTwap } from './twap-plan';

// Real depth: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (1000 levels a side).
const raw = JSON.parse(readDataFile('binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json')) as {
  bids: [string, string][];
  asks: [string, string][];
};
const toLevels = (xs: [string, string][]): BookLevel[] => xs.map(([p, q]) => [Number(p), Number(q)]);
const book = { bids: toLevels(raw.bids), asks: toLevels(raw.asks) };
const fees = { maker: 0.001, taker: 0.001, feesIn: 'quote' as const };
const btc = { base: 'BTC', quote: 'USDT' };

describe('paper fill model on the recorded BTCUSDT book', () => {
  it('walks three ask levels for a 3 BTC market buy and charges 0.1 % per level', () => {
    const result = executeTaker(
      book,
      { side: 'buy', qty: 3, limitPrice: null, ...btc },
      { USDT: 200_000 },
      fees,
    );
    expect(result).toEqual({
      ok: true,
      filledQty: 3,
      fills: [
        { price: 58001.04, qty: 2.524693, fee: 146.43481968, feeIn: 'quote', liquidity: 'taker' },
        { price: 58001.06, qty: 0.000532, fee: 0.03085656, feeIn: 'quote', liquidity: 'taker' },
        { price: 58004.92, qty: 0.474775, fee: 27.53928589, feeIn: 'quote', liquidity: 'taker' },
      ],
      // 200000 − 174004.96213764 notional − 174.00496213 fees
      balances: { USDT: 25821.03290023, BTC: 3 },
    });
  });

  it('sells 1.6 BTC into the best bid and credits the quote less the fee', () => {
    const result = executeTaker(
      book,
      { side: 'sell', qty: 1.6, limitPrice: null, ...btc },
      { USDT: 0, BTC: 3 },
      fees,
    );
    expect(result).toMatchObject({ ok: true, filledQty: 1.6, balances: { BTC: 1.4, USDT: 92708.846352 } });
  });

  it('refuses a buy the quote balance cannot pay for and leaves balances alone', () => {
    const result = executeTaker(
      book,
      { side: 'buy', qty: 3, limitPrice: null, ...btc },
      { USDT: 1000 },
      fees,
    );
    expect(result).toMatchObject({ ok: false, reason: 'insufficient_funds' });
  });

  it('fills a limit buy only up to its price (a partial fill)', () => {
    const result = executeTaker(
      book,
      { side: 'buy', qty: 3, limitPrice: 58001.06, ...btc },
      { USDT: 200_000 },
      fees,
    );
    expect(result).toMatchObject({ ok: true, filledQty: 2.525225 });
  });

  it('fills a resting limit as maker when a trade goes through its price, not at equality', () => {
    const order = { side: 'buy' as const, qty: 0.5, limitPrice: 57000, ...btc };
    expect(executeRestingLimit(order, { price: 57000, size: 1 }, { USDT: 50_000 }, fees)).toBeNull();
    expect(executeRestingLimit(order, { price: 56999.99, size: 1 }, { USDT: 50_000 }, fees)).toEqual({
      ok: true,
      filledQty: 0.5,
      fills: [{ price: 57000, qty: 0.5, fee: 28.5, feeIn: 'quote', liquidity: 'maker' }],
      balances: { USDT: 21471.5, BTC: 0.5 },
    });
  });
});

describe('paper resting limits fill no more than the print', () => {
  const order = { side: 'buy' as const, qty: 5, limitPrice: 60000, stepSize: 0.00001, ...btc };

  it('a resting buy of 5 meets a through-print of 0.001: fills 0.001', () => {
    expect(
      executeRestingLimit(order, { price: 59999.99, size: 0.001 }, { USDT: 400_000 }, fees),
    ).toMatchObject({
      ok: true,
      filledQty: 0.001,
      fills: [{ price: 60000, qty: 0.001, fee: 0.06, feeIn: 'quote', liquidity: 'maker' }],
    });
  });

  it('a print smaller than one lot step fills nothing', () => {
    expect(
      executeRestingLimit(order, { price: 59999.99, size: 0.000009 }, { USDT: 400_000 }, fees),
    ).toBeNull();
  });

  it('a resting buy filled in two halves pays the fee on its whole, 1e-8 less than two rounded halves', () => {
    const half = { side: 'buy' as const, qty: 0.00011, limitPrice: 60000.05, stepSize: 0.00001, ...btc };
    const print = { price: 60000.04, size: 0.00011 };
    // Each half: 6.6000055 notional, fee 0.0066000055 → 0.00660001; the whole's fee is 0.01320001.
    expect(executeRestingLimit(half, print, { USDT: 13.21321101 }, fees)).toMatchObject({
      fills: [{ fee: 0.00660001 }],
      balances: { USDT: 6.6066055 },
    });
    expect(
      executeRestingLimit({ ...half, makerFilled: 0.00011 }, print, { USDT: 6.6066055 }, fees),
    ).toMatchObject({ ok: true, fills: [{ fee: 0.0066 }], balances: { USDT: 0, BTC: 0.00011 } });
  });
});

describe('paper fill model with fees taken from what is received (Binance spot without BNB)', () => {
  const received = { ...fees, feesIn: 'received' as const };

  it('a market buy of 0.5 BTC pays only its notional and is credited 0.5 − 0.0005 BTC, the fee in base', () => {
    const result = executeTaker(
      book,
      { side: 'buy', qty: 0.5, limitPrice: null, ...btc },
      { USDT: 30_000 },
      received,
    );
    expect(result).toEqual({
      ok: true,
      filledQty: 0.5,
      fills: [{ price: 58001.04, qty: 0.5, fee: 0.0005, feeIn: 'base', liquidity: 'taker' }],
      // 30000 − 29000.52 notional, nothing more.
      balances: { USDT: 999.48, BTC: 0.4995 },
    });
  });

  it('a buy of the whole free quote is accepted, as the venue takes no quote for the fee', () => {
    const order = { side: 'buy' as const, qty: 0.5, limitPrice: 57000, ...btc };
    expect(
      executeRestingLimit(order, { price: 56999.99, size: 1 }, { USDT: 28_500 }, received),
    ).toMatchObject({
      ok: true,
      fills: [{ price: 57000, qty: 0.5, fee: 0.0005, feeIn: 'base', liquidity: 'maker' }],
      balances: { USDT: 0, BTC: 0.4995 },
    });
  });

  it('a sell still pays its fee in the quote it receives', () => {
    const result = executeTaker(
      book,
      { side: 'sell', qty: 1.6, limitPrice: null, ...btc },
      { USDT: 0, BTC: 3 },
      received,
    );
    expect(result).toMatchObject({ ok: true, balances: { BTC: 1.4, USDT: 92708.846352 } });
  });
});

describe('book walk quantities', () => {
  // The snapshot prints sizes in 1e-6 steps (BTCUSDT's lot step when it was taken); derived from the
  // file rather than assumed, so the test states what the data is.
  const printedDecimals = (size: string) => size.replace(/0+$/, '').split('.')[1]?.length ?? 0;
  const step = 10 ** -Math.max(...[...raw.bids, ...raw.asks].map(([, q]) => printedDecimals(q)));
  const decimalsOf = (qty: number) => String(qty).split('.')[1]?.length ?? 0;

  it.each([
    ['buy', 2.526],
    ['buy', 3],
    ['buy', 17.123457],
    ['sell', 1.601075],
    ['sell', 9.87654],
  ] as const)(
    '%s %s: every fill is a whole number of steps and the fills sum exactly to the order',
    (side, qty) => {
      expect(step).toBe(0.000001);
      const walk = walkBook(book, side, qty, undefined, step);
      expect(walk.fills.length).toBeGreaterThan(1);
      for (const fill of walk.fills) expect(decimalsOf(fill.qty)).toBeLessThanOrEqual(6);
      expect(walk.filledQty).toBe(qty);
      expect(sumLots(walk.fills.map((f) => f.qty))).toBe(qty);
      // Added one by one in integer micro-BTC, the fills give the order back to the last unit.
      expect(walk.fills.reduce((s, f) => s + Math.round(f.qty * 1e6), 0)).toBe(Math.round(qty * 1e6));
    },
  );

  it('takes the third ask level for exactly 0.000775, not 0.000774999999999725', () => {
    expect(walkBook(book, 'buy', 2.526, undefined, step).fills.map((f) => f.qty)).toEqual([
      2.524693, 0.000532, 0.000775,
    ]);
  });

  it('fills whole steps only: a fraction of a step in the order is left out', () => {
    expect(walkBook(book, 'buy', 2.5260004, undefined, step).filledQty).toBe(2.526);
  });
});

describe('slippage guard', () => {
  it('measures the 3 BTC buy at 0.106 bps from the touch and rejects it under a 0.1 bps cap', () => {
    const walk = walkBook(book, 'buy', 3);
    expect(walk.slippageBps).toBeCloseTo(((174004.96213764 / 3 - 58001.04) / 58001.04) * 10_000, 9);
    expect(checkSlippage(book, 'buy', 3, 0.1)).toMatchObject({ ok: false, reason: 'slippage', limit: 0.1 });
    expect(checkSlippage(book, 'buy', 3, 0.2)).toMatchObject({ ok: true });
  });
});

describe('client order ids', () => {
  it('are derived, prefixed, at most 36 chars and differ per slice', () => {
    const a = clientOrderId('bl-', 'intent-1', 0);
    expect(a).toBe(clientOrderId('bl-', 'intent-1', 0));
    expect(a).not.toBe(clientOrderId('bl-', 'intent-1', 1));
    expect(a).toMatch(/^bl-[0-9a-f]{16}$/);
    expect(() => clientOrderId('x'.repeat(30), 'i', 0)).toThrow(/1-36/);
    expect(derivedUuid('c1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('TWAP plan', () => {
  it('plans no slice below the venue minimum: fewer slices, at least one', () => {
    // Binance BTCUSDT on 2021-10-12: step 0.00001, min qty 0.00001, min notional 10 USDT.
    const rules = binanceSpotRules(['BTCUSDT']).BTCUSDT!;
    const touch = book.asks[0]![0];
    const min = smallestOrderQty(rules, touch);
    expect(min).toBe(0.00018); // 10 / 58001.04 = 0.000172… rounded up to the step
    const plan = (totalQty: number, slices: number) =>
      planTwap({
        totalQty,
        slices,
        durationMs: 60_000,
        startAt: 0,
        stepSize: rules.stepSize,
        minSliceQty: min,
        jitter: 0,
        random01: () => 0,
      });
    // 0.0005 BTC (29 USDT) asked in 5 slices of 0.0001 (5.80 USDT each, all refused): 2 slices instead.
    expect(plan(0.0005, 5).map((s) => s.qty)).toEqual([0.00025, 0.00025]);
    expect(plan(0.01, 5).map((s) => s.qty)).toEqual([0.002, 0.002, 0.002, 0.002, 0.002]);
    // Below one minimum order: one slice, the whole order (the venue decides, as for a direct order).
    expect(plan(0.0001, 5).map((s) => s.qty)).toEqual([0.0001]);
    expect(smallestOrderQty(rules, 0)).toBe(rules.minQty);
  });

  it('splits 0.01 BTC into 3 step-aligned slices that add up exactly, spread with jitter', () => {
    const rnd = new SeededRandom(7);
    const plan = planTwap({
      totalQty: 0.01,
      slices: 3,
      durationMs: 60_000,
      startAt: 1_000,
      stepSize: 0.00001,
      minSliceQty: 0,
      jitter: 0.2,
      random01: () => rnd.next(),
    });
    expect(plan.map((s) => s.qty)).toEqual([0.00333, 0.00333, 0.00334]);
    expect(plan[0]?.dueAt).toBe(1_000);
    for (const [i, s] of plan.entries()) {
      if (i === 0) continue;
      expect(Math.abs(s.dueAt - (1_000 + i * 30_000))).toBeLessThanOrEqual(6_000);
    }
  });
});

const fill = (qty: number, price: number, fee: number, feeAsset: string) => ({ qty, price, fee, feeAsset });

describe('position fold', () => {
  it('averages entries, realises pnl on the exit and keeps fees apart', () => {
    let p = applyFill(FLAT, { side: 'buy', qty: 1, price: 100, fee: 0.1, feeIn: 'quote' });
    p = applyFill(p, { side: 'buy', qty: 1, price: 110, fee: 0.11, feeIn: 'quote' });
    p = applyFill(p, { side: 'sell', qty: 2, price: 120, fee: 0.24, feeIn: 'quote' });
    expect(p).toEqual({
      side: 'long',
      qty: 0,
      avgEntry: 105,
      realizedPnl: 30,
      fees: expect.closeTo(0.45, 12),
    });
  });

  it('takes a base-asset fee off the quantity held and counts it at its quote value', () => {
    // Binance spot without BNB: a 0.01 BTC buy at 0.1 % pays 0.00001 BTC; the account holds 0.00999.
    const bought = applyFill(FLAT, positionFill('BTC-USDT', 'buy', fill(0.01, 58001.04, 0.00001, 'BTC')));
    expect(bought).toMatchObject({ side: 'long', qty: expect.closeTo(0.00999, 15), avgEntry: 58001.04 });
    expect(bought.fees).toBeCloseTo(0.5800104, 12);
    // Selling what is held (its fee in USDT) closes the position flat.
    const sold = applyFill(bought, positionFill('BTC-USDT', 'sell', fill(0.00999, 58100, 0.580419, 'USDT')));
    expect(sold.qty).toBe(0);
    expect(sold.realizedPnl).toBeCloseTo(0.00999 * (58100 - 58001.04), 9);
    expect(sold.fees).toBeCloseTo(0.5800104 + 0.580419, 12);
    // A sell whose fee is in base removes qty + fee; those units leave at the fill price.
    const long = applyFill(FLAT, positionFill('BTC-USDT', 'buy', fill(0.02, 100, 0, 'USDT')));
    const partly = applyFill(long, positionFill('BTC-USDT', 'sell', fill(0.01, 110, 0.0001, 'BTC')));
    expect(partly.qty).toBeCloseTo(0.0099, 15);
    expect(partly.realizedPnl).toBeCloseTo(0.0101 * 10, 12);
    expect(partly.fees).toBeCloseTo(0.011, 12);
  });

  it('leaves a fee in a third asset (BNB) out of both the quantity and the quote fees', () => {
    const p = applyFill(FLAT, positionFill('BTC-USDT', 'buy', fill(0.01, 58001.04, 0.0012, 'BNB')));
    expect(p).toEqual({ side: 'long', qty: 0.01, avgEntry: 58001.04, realizedPnl: 0, fees: 0 });
  });

  it('keeps a position with the order that opened it through exits that carry no strategy, until it flips', () => {
    const trend = { strategy: 'trend_pullback', correlationId: 'decision-1' };
    const exit = { strategy: null, correlationId: 'stop-1' };
    const opened = applyFill(FLAT, { side: 'buy', qty: 2, price: 100, fee: 0, feeIn: 'quote' });
    const owner = positionOwner(opensPosition(FLAT, opened), undefined, trend);
    expect(owner).toBe(trend);
    // A take-profit (no strategy) sells half, then a stop (no strategy) closes the rest.
    const half = applyFill(opened, { side: 'sell', qty: 1, price: 110, fee: 0, feeIn: 'quote' });
    expect(positionOwner(opensPosition(opened, half), owner, exit)).toBe(trend);
    const closed = applyFill(half, { side: 'sell', qty: 1, price: 95, fee: 0, feeIn: 'quote' });
    expect(positionOwner(opensPosition(half, closed), owner, exit)).toBe(trend);
    // A fill that flips the position opens a new one: it belongs to whoever sent that fill.
    const flipped = applyFill(half, { side: 'sell', qty: 3, price: 95, fee: 0, feeIn: 'quote' });
    expect(flipped.side).toBe('short');
    const reversal = { strategy: 'mean_reversion', correlationId: 'decision-2' };
    expect(positionOwner(opensPosition(half, flipped), owner, reversal)).toBe(reversal);
    // The next position after flat starts afresh; a position we never saw open takes the fill's owner.
    const again = applyFill(closed, { side: 'buy', qty: 1, price: 100, fee: 0, feeIn: 'quote' });
    const breakout = { strategy: 'breakout', correlationId: 'decision-3' };
    expect(positionOwner(opensPosition(closed, again), owner, breakout)).toBe(breakout);
    expect(positionOwner(opensPosition(opened, half), undefined, exit)).toBe(exit);
  });
});
