import { readDataFile } from '@ballast/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smallestOrderQty } from '../execution/smallest-order';
import type { MarketRules } from '../risk/market-rules';
import { roundDownToStep } from '../risk/precision';
import { binanceSpotRules } from '../risk/real-market.fixture';
import {
  breakevenPrice,
  coverageRatio,
  localStopDecision,
  nextTakeProfit,
  planStop,
  stopCovers,
  takeProfitReached,
  trailStop,
  verifyStop,
} from './index';

// BTCUSDT 1h closes, Binance spot (binance-spot-ohlcv/BTCUSDT-1h.csv.gz): real price paths.
const closes = readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => Number(line.split(',')[4]));

const BTC = { stepSize: 0.00001, tickSize: 0.01 };

describe('planStop', () => {
  it('takes the intent stop and the position qty rounded down to step', () => {
    const plan = planStop({
      positionSide: 'long',
      positionQty: 0.0123456,
      avgEntry: 60_000,
      intentStop: 58_800.004,
      fallbackPct: 0.02,
      ...BTC,
    });
    expect(plan).toEqual({ ok: true, side: 'sell', qty: 0.01234, stopPrice: 58_800 });
  });

  it('falls back to a percentage from entry when no intent stop is known (short)', () => {
    const plan = planStop({
      positionSide: 'short',
      positionQty: 1,
      avgEntry: 100,
      intentStop: null,
      fallbackPct: 0.02,
      ...BTC,
    });
    expect(plan).toEqual({ ok: true, side: 'buy', qty: 1, stopPrice: 102 });
  });

  it('refuses a stop on the wrong side of entry and a qty below one step', () => {
    const base = { positionSide: 'long' as const, avgEntry: 100, fallbackPct: 0.02, ...BTC };
    expect(planStop({ ...base, positionQty: 1, intentStop: 101 })).toMatchObject({
      ok: false,
      reason: 'stop_on_wrong_side',
    });
    expect(planStop({ ...base, positionQty: 0.000001, intentStop: 99 })).toMatchObject({
      ok: false,
      reason: 'qty_below_step',
    });
  });
});

describe('trailing ratchet over real BTCUSDT 1h paths', () => {
  const path = fc
    .tuple(fc.integer({ min: 0, max: closes.length - 500 }), fc.integer({ min: 10, max: 500 }))
    .map(([start, length]) => closes.slice(start, start + length));
  const trail = fc.oneof(
    fc.record({
      mode: fc.constant('percent' as const),
      pct: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
    }),
    fc.record({ mode: fc.constant('atr' as const), multiple: fc.double({ min: 0.5, max: 5, noNaN: true }) }),
  );

  it('never loosens a long stop and never passes the price that set it', () => {
    fc.assert(
      fc.property(path, trail, (prices, config) => {
        let stop = (prices[0] ?? 1) * 0.9;
        for (const price of prices) {
          const next = trailStop('long', stop, price, config, price * 0.01, BTC.tickSize);
          expect(next).toBeGreaterThanOrEqual(stop);
          if (next > stop) expect(next).toBeLessThan(price);
          stop = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never loosens a short stop', () => {
    fc.assert(
      fc.property(path, trail, (prices, config) => {
        let stop = (prices[0] ?? 1) * 1.1;
        for (const price of prices) {
          const next = trailStop('short', stop, price, config, price * 0.01, BTC.tickSize);
          expect(next).toBeLessThanOrEqual(stop);
          if (next < stop) expect(next).toBeGreaterThan(price);
          stop = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('trails 2 % below a new high and ignores the ATR mode without an ATR', () => {
    expect(trailStop('long', 95, 110, { mode: 'percent', pct: 0.02 }, null, 0.01)).toBe(107.8);
    expect(trailStop('long', 95, 110, { mode: 'atr', multiple: 2 }, null, 0.01)).toBe(95);
    expect(trailStop('long', 95, 110, { mode: 'atr', multiple: 2 }, 3, 0.01)).toBe(104);
  });
});

describe('take-profit ladder', () => {
  const base = {
    side: 'long' as const,
    config: { fractions: [0.5], breakevenFeeRate: 0.002 },
    entry: 100,
    currentStop: 95,
    rules: { stepSize: 0.001, tickSize: 0.01, minQty: 0, minNotional: 0 },
    stopOrderPrice: (stop: number) => stop,
  };

  it('does nothing below TP1', () => {
    expect(
      nextTakeProfit({ ...base, state: { levels: [110, 120], taken: 0 }, price: 109.99, remainingQty: 1 }),
    ).toBe(null);
  });

  it('TP1 closes half the remaining position and moves the stop to breakeven plus fees', () => {
    const action = nextTakeProfit({
      ...base,
      state: { levels: [110, 120], taken: 0 },
      price: 110.5,
      remainingQty: 0.333,
    });
    expect(action).toEqual({
      level: 1,
      price: 110,
      closeQty: 0.166,
      newStop: 100.21,
      next: { levels: [110, 120], taken: 1 },
      resized: null,
    });
  });

  it('the last level closes what remains and never loosens a stop already above breakeven', () => {
    const action = nextTakeProfit({
      ...base,
      currentStop: 108,
      state: { levels: [110, 120], taken: 1 },
      price: 121,
      remainingQty: 0.167,
    });
    expect(action).toMatchObject({ level: 2, closeQty: 0.167, newStop: 108, next: { taken: 2 } });
  });

  it('says a level is reached exactly when nextTakeProfit acts, for either side and any progress', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('long' as const, 'short' as const),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 80, max: 140, noNaN: true }),
        (side, taken, price) => {
          const state = { levels: side === 'long' ? [110, 120] : [90, 85], taken };
          const action = nextTakeProfit({ ...base, side, state, price, remainingQty: 1 });
          expect(takeProfitReached(side, state, price)).toBe(action !== null);
        },
      ),
    );
  });

  it('breakeven for a short is below entry by the fee rate', () => {
    expect(breakevenPrice('short', 100, 0.002, 0.01)).toBe(99.8);
  });

  it('a stop filled at breakeven pays both fees: the exit fee is charged on the exit price, not the entry', () => {
    // BTC long at 100,000, 0.1 % a side: entry*(1 + 0.002) = 100,200 lost 0.2 USDT a coin once filled.
    expect(breakevenPrice('long', 100_000, 0.002, 0.01)).toBe(100_200.21);
    expect(breakevenPrice('short', 100_000, 0.002, 0.01)).toBe(99_800.19);
    fc.assert(
      fc.property(
        fc.constantFrom('long' as const, 'short' as const),
        fc.double({ min: 0.01, max: 200_000, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (side, entry, feeRate) => {
          const exit = breakevenPrice(side, entry, feeRate, 0.01);
          const fees = (feeRate / 2) * (entry + exit);
          const net = side === 'long' ? exit - entry - fees : entry - exit - fees;
          // Nothing lost beyond float noise, and no more than a tick (and the fees on it) given away.
          expect(net).toBeGreaterThanOrEqual(-1e-9 * entry);
          expect(net).toBeLessThanOrEqual(0.01 * (1 + feeRate) + 1e-9 * entry);
        },
      ),
    );
  });

  it('rounds breakeven to the tick away from the entry, never to a price that loses', () => {
    expect(breakevenPrice('long', 100.004, 0, 0.01)).toBe(100.01);
    expect(breakevenPrice('short', 99.996, 0, 0.01)).toBe(99.99);
  });

  it('keeps the stop one tick inside the price when a level is inside the breakeven band', () => {
    // Breakeven plus fees is 100.21; TP1 at 100.15 printed 100.16: a stop at 100.21 would trigger at once.
    const long = nextTakeProfit({
      ...base,
      state: { levels: [100.15], taken: 0 },
      price: 100.16,
      remainingQty: 1,
    });
    expect(long).toMatchObject({ closeQty: 0.5, newStop: 100.15 });
    const short = nextTakeProfit({
      ...base,
      side: 'short',
      currentStop: 105,
      state: { levels: [99.85], taken: 0 },
      price: 99.84,
      remainingQty: 1,
    });
    expect(short).toMatchObject({ closeQty: 0.5, newStop: 99.85 });
  });

  it('never puts the stop at or beyond the printed price, for either side', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('long' as const, 'short' as const),
        fc.double({ min: 99, max: 101, noNaN: true }),
        fc.double({ min: 0, max: 0.02, noNaN: true }),
        (side, level, past) => {
          const price = side === 'long' ? level + past : level - past;
          const currentStop = side === 'long' ? 95 : 105;
          const action = nextTakeProfit({
            ...base,
            side,
            currentStop,
            state: { levels: [level], taken: 0 },
            price,
            remainingQty: 1,
          });
          expect(action).not.toBeNull();
          if (side === 'long') expect(action!.newStop).toBeLessThan(price);
          else expect(action!.newStop).toBeGreaterThan(price);
        },
      ),
    );
  });
});

describe('take-profit ladder against the venue minimums (Binance BTCUSDT: step 0.00001, min notional 10)', () => {
  // The real filters of binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
  const rules = binanceSpotRules(['BTCUSDT']).BTCUSDT as MarketRules;
  // What stays rests under a stop-limit whose limit is 50 bps under the stop (the stops service's default).
  const stopOrderPrice = (stop: number) => roundDownToStep(stop * 0.995, rules.tickSize);
  const long = (remainingQty: number, levels: number[], price: number) =>
    nextTakeProfit({
      side: 'long',
      state: { levels, taken: 0 },
      config: { fractions: [0.5], breakevenFeeRate: 0.002 },
      price,
      remainingQty,
      entry: 60_000,
      currentStop: 58_200,
      rules,
      stopOrderPrice,
    });

  it('sells the whole 18 USDT position at TP1: half (9.09 USDT) would be refused, and so would the stop on the rest', () => {
    expect(rules).toMatchObject({ stepSize: 0.00001, minNotional: 10 });
    expect(long(0.0003, [60_600, 66_000], 60_650)).toMatchObject({
      level: 1,
      closeQty: 0.0003,
      newStop: 60_120.13,
      resized: 'piece_below_minimum',
    });
  });

  it('sells the whole position when the piece sells but the stop-limit on what stays would be refused', () => {
    // 0.00015 at 80,000 is 12.00 USDT; the 0.00015 left under a stop-limit at 59,819.40 is 8.97.
    expect(long(0.0003, [80_000, 90_000], 80_000)).toMatchObject({
      closeQty: 0.0003,
      resized: 'rest_below_minimum',
    });
  });

  it('sells the whole position when the piece clears the minimum at the level by less than the slice margin', () => {
    // 0.00015 at 70,000 is 10.50 USDT: over 10 at the level, but the market order is judged on the
    // 5-minute average price, below the level a rally reached; a piece needs 11 (10 % margin) there.
    expect(long(0.0003, [70_000, 80_000], 70_000)).toMatchObject({
      closeQty: 0.0003,
      resized: 'piece_below_minimum',
    });
  });

  it('splits as planned when both parts are sellable', () => {
    expect(long(0.001, [60_600, 66_000], 60_600)).toMatchObject({ closeQty: 0.0005, resized: null });
  });

  it('sells nothing from a position the venue would not buy whole, and only moves the stop', () => {
    // 0.00016 at 60,600 is 9.70 USDT (a base-asset fee shrank a 10.20 USDT buy, say).
    expect(long(0.00016, [60_600, 66_000], 60_600)).toMatchObject({
      closeQty: 0,
      newStop: 60_120.13,
      next: { taken: 1 },
      resized: 'position_below_minimum',
    });
  });

  it('never plans a piece, or leaves a rest, the venue refuses, along real BTCUSDT prices', () => {
    const smallest = (price: number) => Math.max(smallestOrderQty(rules, price), rules.stepSize);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: closes.length - 1 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.constantFrom(0.25, 0.5, 0.75),
        (i, usdt, rise, fraction) => {
          const entry = closes[i - 1] as number;
          const price = closes[i] as number;
          // A position worth 1 to 200 USDT at entry: around the 10 USDT minimum.
          const remainingQty = roundDownToStep(usdt / entry, rules.stepSize);
          fc.pre(remainingQty > 0);
          const level = roundDownToStep(Math.min(price, entry * (1 + rise)), rules.tickSize);
          const action = nextTakeProfit({
            side: 'long',
            state: { levels: [level, level * 2], taken: 0 },
            config: { fractions: [fraction], breakevenFeeRate: 0.002 },
            price,
            remainingQty,
            entry,
            currentStop: roundDownToStep(entry * 0.97, rules.tickSize),
            rules,
            stopOrderPrice,
          });
          if (!action) throw new Error('the level is at or under the price');
          const rest = roundDownToStep(remainingQty - action.closeQty, rules.stepSize);
          if (action.closeQty > 0) expect(action.closeQty).toBeGreaterThanOrEqual(smallest(level));
          if (rest > 0 && action.closeQty > 0)
            expect(rest).toBeGreaterThanOrEqual(smallest(stopOrderPrice(action.newStop)));
        },
      ),
    );
  });
});

describe('local monitor', () => {
  it('closes when the price goes through the stop while the venue stop has not triggered', () => {
    expect(
      localStopDecision({ side: 'long', stopPrice: 100, price: 99.9, graceBps: 5, venueStop: 'open' }),
    ).toEqual({
      close: true,
      reason: 'price 99.9 crossed stop 100 (grace 5 bps) while the venue stop is open',
    });
  });

  it('waits inside the grace band and leaves a triggered venue stop alone', () => {
    expect(
      localStopDecision({ side: 'long', stopPrice: 100, price: 99.96, graceBps: 5, venueStop: 'open' }),
    ).toEqual({
      close: false,
    });
    expect(
      localStopDecision({ side: 'short', stopPrice: 100, price: 120, graceBps: 0, venueStop: 'triggered' }),
    ).toEqual({ close: false });
    expect(
      localStopDecision({ side: 'short', stopPrice: 100, price: 100, graceBps: 0, venueStop: 'missing' }),
    ).toMatchObject({ close: true });
  });
});

describe('verification and coverage', () => {
  const expected = { side: 'sell' as const, qty: 0.5, stopPrice: 95 };

  it('accepts an open stop with the same side, qty and price', () => {
    expect(verifyStop(expected, { status: 'open', side: 'sell', qty: 0.5, stopPrice: 95 })).toEqual({
      ok: true,
    });
  });

  it('names the mismatch', () => {
    expect(verifyStop(expected, undefined)).toMatchObject({ ok: false, reason: 'missing' });
    expect(
      verifyStop(expected, { status: 'cancelled', side: 'sell', qty: 0.5, stopPrice: 95 }),
    ).toMatchObject({
      reason: 'not_open',
    });
    expect(verifyStop(expected, { status: 'open', side: 'sell', qty: 0.4, stopPrice: 95 })).toMatchObject({
      reason: 'qty',
    });
    expect(verifyStop(expected, { status: 'open', side: 'sell', qty: 0.5, stopPrice: 94 })).toMatchObject({
      reason: 'price',
    });
  });

  it('coverage is verified over open, and 1 when nothing is open', () => {
    expect(coverageRatio(0, 0)).toBe(1);
    expect(coverageRatio(4, 3)).toBe(0.75);
    expect(coverageRatio(2, 2)).toBe(1);
  });

  it('counts a position protected only while its verified stop covers all the record wants covered', () => {
    expect(stopCovers({ qty: 1, verified: true, pendingMove: null })).toBe(true);
    expect(stopCovers({ qty: 1, verified: false, pendingMove: null })).toBe(false);
    // A growth to 2 whose move waits for the old stop's cancel: 1 of the 2 is bare.
    expect(stopCovers({ qty: 1, verified: true, pendingMove: { qty: 2 } })).toBe(false);
    // A shrink or a trail waiting for its cancel: the old stop still covers all that is held.
    expect(stopCovers({ qty: 1, verified: true, pendingMove: { qty: 0.5 } })).toBe(true);
    expect(stopCovers({ qty: 1, verified: true, pendingMove: { qty: 1 } })).toBe(true);
  });
});
