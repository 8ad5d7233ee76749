import { describe, expect, it } from 'vitest';
import { TradeCoverage } from './trade-coverage';

// The 2021-05-19 00:00 UTC hour (a real SOLUSDT 1h bar's open); trade times as Binance stamps them.
const open = Date.UTC(2021, 4, 19);
const bar = { openTime: open, closeTime: open + 3_599_999 };

describe('TradeCoverage', () => {
  it('covers a bar whose trades were seen from its open to its close without a gap', () => {
    const coverage = new TradeCoverage();
    for (let t = open + 5_000; t < bar.closeTime; t += 30_000) coverage.seen('SOL-USDT', t);
    expect(coverage.covers('SOL-USDT', bar)).toBe(true);
    expect(coverage.covers('BTC-USDT', bar)).toBe(false);
  });

  it('does not cover a bar with a gap in its trades, one seen only in part, or one before the trades', () => {
    const gapped = new TradeCoverage();
    for (let t = open; t < bar.closeTime; t += t < open + 600_000 || t > open + 1_200_000 ? 30_000 : 600_000)
      gapped.seen('SOL-USDT', t);
    const late = new TradeCoverage();
    late.seen('SOL-USDT', open + 3_500_000);
    // The next bar's trades, read before this bar's candle (held by market-data for a backfill).
    const next = new TradeCoverage();
    for (let t = open + 3_600_000; t < open + 7_200_000; t += 30_000) next.seen('SOL-USDT', t);
    expect([gapped, late, next].map((c) => c.covers('SOL-USDT', bar))).toEqual([false, false, false]);
  });

  it('does not cover a bar whose feed broke, however briefly, whichever is read first: the break or the trades after it', () => {
    // A 20 s reconnect half-way through the bar: trades every 15 s either side, none in it.
    const drop = open + 1_800_000;
    const times = [] as number[];
    for (let t = open + 5_000; t < bar.closeTime; t += 15_000)
      if (t < drop || t > drop + 20_000) times.push(t);
    const first = new TradeCoverage();
    first.interrupt('SOL-USDT', drop);
    for (const t of times) first.seen('SOL-USDT', t);
    const late = new TradeCoverage();
    for (const t of times) late.seen('SOL-USDT', t);
    late.interrupt(null, drop);
    // Another symbol's break leaves this one's run whole.
    const other = new TradeCoverage();
    other.interrupt('BTC-USDT', drop);
    for (const t of times) other.seen('SOL-USDT', t);
    expect([first, late, other].map((c) => c.covers('SOL-USDT', bar))).toEqual([false, false, true]);
    // The next bar, its trades all after the break, is covered again.
    const next = { openTime: bar.openTime + 3_600_000, closeTime: bar.closeTime + 3_600_000 };
    for (let t = next.openTime; t < next.closeTime; t += 15_000) late.seen('SOL-USDT', t);
    expect(late.covers('SOL-USDT', next)).toBe(true);
  });
});
