import { describe, expect, it } from 'vitest';
import { binanceSpotRules } from '../risk/real-market.fixture';
import type { TradableRules } from './dust';
import {
  endExit,
  foldKept,
  type KeptPosition,
  keptPosition,
  NOTHING_KEPT,
  tradeFigures,
} from './kept-position';
import { type PositionFill, positionFill } from './position-fold';

// BTCUSDT's filters on 2021-10-12 (step 0.00001, min qty 0.00001, min notional 10) and prices of the
// recorded 2021-04-04 book: best ask 58001.04, third ask 58004.92, best bid 58001.03.
const { BTCUSDT: rules } = binanceSpotRules(['BTCUSDT']) as Record<'BTCUSDT', TradableRules>;
const ASK = 58001.04;
const THIRD_ASK = 58004.92;
const BID = 58001.03;

/** Binance spot without BNB: a buy's fee (0.1 %) in BTC, a sell's in USDT. */
const buy = (qty: number, price: number): PositionFill =>
  positionFill('BTC-USDT', 'buy', { qty, price, fee: qty * 0.001, feeAsset: 'BTC' });
const sell = (qty: number, price: number): PositionFill =>
  positionFill('BTC-USDT', 'sell', { qty, price, fee: qty * price * 0.001, feeAsset: 'USDT' });

/** 0.001 BTC bought: 0.000999 held. */
const bought = (): KeptPosition => foldKept(NOTHING_KEPT, buy(0.001, ASK), rules).kept;

describe('kept positions: dust the venue will not trade closes the position', () => {
  it('closes on a full exit on the step and keeps the 0.000009 BTC still held', () => {
    const opened = foldKept(NOTHING_KEPT, buy(0.001, ASK), rules);
    expect(opened.status).toBe('opened');
    expect(opened.kept.net.qty).toBeCloseTo(0.000999, 15);
    const closed = foldKept(opened.kept, sell(0.00099, BID), rules);
    expect(closed).toMatchObject({ status: 'closed', opens: false, kept: { dust: true } });
    expect(closed.kept.net.qty).toBeCloseTo(0.000009, 15);
    expect(keptPosition(closed.kept).qty).toBe(0);
    // Only what was sold is realised: the dust is still held, not sold.
    expect(closed.kept.net.realizedPnl).toBeCloseTo(0.00099 * (BID - ASK), 12);
  });

  it('leaves the remainder open while more of the exit order is to come', () => {
    const part = foldKept(bought(), sell(0.0009, BID), undefined);
    expect(part).toMatchObject({ status: 'changed', kept: { dust: false } });
  });

  it('closes on a remainder above the step but below the minimum notional at the fill price', () => {
    // 0.000029 held: 0.00002 tradable, 1.16 USDT at 58001.03, the venue's minimum is 10.
    const closed = foldKept(bought(), sell(0.00097, BID), rules);
    expect(closed).toMatchObject({ status: 'closed', kept: { dust: true } });
    expect(closed.kept.net.qty).toBeCloseTo(0.000029, 15);
    // 0.000199 held: 0.00019 tradable, 11.02 USDT: the venue sells it, the position stays open.
    const big = foldKept(NOTHING_KEPT, buy(0.002, ASK), rules).kept;
    expect(foldKept(big, sell(0.0018, BID), rules)).toMatchObject({
      status: 'changed',
      kept: { dust: false },
    });
  });

  it('opens the next position at its own price, dust taken in, and keeps the pnl exact', () => {
    const dust = foldKept(bought(), sell(0.00099, BID), rules).kept;
    const next = foldKept(dust, buy(0.001, THIRD_ASK), rules);
    expect(next).toMatchObject({ status: 'opened', opens: true, kept: { dust: false } });
    expect(next.kept.net.avgEntry).toBe(THIRD_ASK);
    expect(next.kept.net.qty).toBeCloseTo(0.001008, 15);
    // The dust's move from its entry to this fill's price is realised as it is taken in.
    const moved = 0.000009 * (THIRD_ASK - ASK);
    expect(next.kept.net.realizedPnl).toBeCloseTo(dust.net.realizedPnl + moved, 12);
    // The next full exit on the step sells the dust with it: what is left stays below one step.
    const again = foldKept(next.kept, sell(0.001, BID), rules);
    expect(again).toMatchObject({ status: 'closed', kept: { dust: true } });
    expect(again.kept.net.qty).toBeCloseTo(0.000008, 15);
  });

  it('publishes nothing for a fill that finds dust and leaves dust or nothing', () => {
    const dust = foldKept(bought(), sell(0.00099, BID), rules).kept;
    const less = foldKept(dust, sell(0.000004, BID), rules);
    expect(less).toMatchObject({ status: null, opens: false, kept: { dust: true } });
    const none = foldKept(dust, sell(0.000009, BID), rules);
    expect(none.status).toBeNull();
    expect(none.kept.net.qty).toBe(0);
  });

  it('closes a position an exit order left dust when the venue ends that order after its last fill', () => {
    const part = foldKept(bought(), sell(0.00097, BID), undefined).kept;
    expect(part.dust).toBe(false);
    expect(endExit(part, rules, BID)).toEqual({ ...part, dust: true });
    const big = foldKept(NOTHING_KEPT, buy(0.002, ASK), rules).kept;
    expect(endExit(big, rules, BID)).toBe(big);
  });
});

describe("a trade's own figures: the fold's since the trade opened", () => {
  it("counts the second trade its own pnl (the dust taken in included) and fees, not the first one's", () => {
    const first = foldKept(bought(), sell(0.00099, BID), rules).kept;
    expect(tradeFigures(first.net)).toEqual({ realizedPnl: -0.0000099, fees: 0.1154220597 });
    const second = foldKept(foldKept(first, buy(0.001, THIRD_ASK), rules).kept, sell(0.001, BID), rules);
    // Dust 0.000009 × 3.88 realised as it is taken in, 0.001 × (BID − THIRD_ASK) on the exit; fees:
    // 0.000001 BTC at 58004.92 on the buy, 0.1 % of 58.00103 USDT on the sell.
    expect(tradeFigures(second.kept.net, first.net)).toEqual({ realizedPnl: -0.00385508, fees: 0.11600595 });
  });

  it('leaves no binary noise: 0.3 − 0.1 is 0.2, and fees that did not move are 0', () => {
    const start = { realizedPnl: 0.1, fees: 0.3 };
    expect(tradeFigures({ realizedPnl: 0.3, fees: 0.1 + 0.2 }, start)).toEqual({ realizedPnl: 0.2, fees: 0 });
  });
});
