import { describe, expect, it } from 'vitest';
import { NOW } from './entry.fixture';
import {
  applyMarkedEquity,
  equityValued,
  type MarketMarks,
  markedEquity,
  unrealisedPnl,
  updateMarks,
} from './marked-equity';
import { DEFAULT_RISK_LIMITS as limits } from './risk-limits';
import { applyEntryFill } from './risk-reducers';
import { initialRiskState, marketKey, type OpenPosition } from './risk-state';

const SOL = { exchange: 'binance', symbol: 'SOL-USDT' };
const BTC = { exchange: 'binance', symbol: 'BTC-USDT' };
const long: OpenPosition = {
  positionId: 'binance:SOL-USDT',
  ...SOL,
  side: 'long',
  qty: 10,
  entry: 100,
  stop: 90,
  strategy: 'trend',
};
const short: OpenPosition = {
  ...long,
  positionId: 'bybit:BTC-USDT',
  ...BTC,
  side: 'short',
  qty: 0.1,
  entry: 40_000,
  stop: 42_000,
};
const none: MarketMarks = new Map();

describe('marking held positions to market', () => {
  it('values a long at the bid and a short at the ask: what would close each', () => {
    const marks = updateMarks(updateMarks(none, SOL, { bestBid: 70, bestAsk: 70.1 }), BTC, {
      bestBid: 39_000,
      bestAsk: 39_010,
    });
    expect(unrealisedPnl(long, marks)).toBe(10 * (70 - 100));
    expect(unrealisedPnl(short, marks)).toBeCloseTo(0.1 * (40_000 - 39_010), 9);
    expect(markedEquity(10_000, [long, short], marks)).toBeCloseTo(10_000 - 300 + 99, 9);
  });

  it('values a position whose market has no mark at its entry, never at zero', () => {
    expect(unrealisedPnl(long, none)).toBe(0);
    expect(markedEquity(10_000, [long], none)).toBe(10_000);
  });

  it('keeps the last usable price of a side an empty or broken book does not replace', () => {
    const marked = updateMarks(none, SOL, { bestBid: 70, bestAsk: 71 });
    const emptyBids = updateMarks(marked, SOL, { bestBid: undefined, bestAsk: 72 });
    expect(emptyBids.get('binance:SOL-USDT')).toEqual({ bid: 70, ask: 72 });
    for (const broken of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY])
      expect(updateMarks(marked, SOL, { bestBid: broken, bestAsk: broken })).toBe(marked);
    expect(Number.isNaN(markedEquity(10_000, [long], emptyBids))).toBe(false);
  });

  it('latches the daily-loss and drawdown halts on a long held 30% under its entry, and a recovery lifts neither', () => {
    // 10,000 of equity, a long of 60 SOL at 100 (6,000) quoted at 70: 1,800 lost while nothing was sold.
    const held = applyEntryFill(initialRiskState(10_000, NOW), {
      positionId: 'binance:SOL-USDT',
      ...SOL,
      side: 'long',
      qty: 60,
      price: 100,
      stop: 90,
      strategy: 'trend',
    });
    const quoted = (state: typeof held, bid: number, at: number) =>
      applyMarkedEquity(
        state,
        10_000,
        updateMarks(none, SOL, { bestBid: bid, bestAsk: bid + 0.01 }),
        limits,
        at,
      );
    const down = quoted(held, 70, NOW + 1);
    expect(down.equity).toBe(8_200);
    expect(down.dailyLossHalt).toEqual({ limit: 500, value: 1_800, at: NOW + 1 });
    expect(down.drawdownHalt).toEqual({ limit: 1_500, value: 1_800, at: NOW + 1 });
    const back = quoted(down, 100, NOW + 2);
    expect(back.equity).toBe(10_000);
    expect(back.dailyLossHalt).toEqual(down.dailyLossHalt);
    expect(back.drawdownHalt).toEqual(down.drawdownHalt);
  });

  it('measures no halt while a position held at the restart has no mark, then from its first mark', () => {
    // A peak of 12,000 stored with the SOL long's gain open (10 SOL bought at 100, quoted at 300 then);
    // the restart reads 10,000 at cost and no mark of SOL.
    const restarted = { ...initialRiskState(10_000, NOW), peakEquity: 12_000, dayStartEquity: 12_000 };
    const held = { ...restarted, positions: [long] };
    const awaited = new Set([marketKey(SOL.exchange, SOL.symbol)]);
    expect(equityValued(held.positions, none, awaited)).toBe(false);
    expect(equityValued(held.positions, none, new Set())).toBe(true);
    const unmarked = applyMarkedEquity(held, 9_900, none, limits, NOW + 1, awaited);
    expect(unmarked).toMatchObject({
      equity: 9_900,
      peakEquity: 12_000,
      drawdownHalt: null,
      dailyLossHalt: null,
    });
    // Quoted at 130: worth 10,200, 1,800 under the peak: the drawdown halt latches.
    const quoted = updateMarks(none, SOL, { bestBid: 130, bestAsk: 130.1 });
    const marked = applyMarkedEquity(unmarked, 9_900, quoted, limits, NOW + 2, awaited);
    expect(marked.equity).toBe(10_200);
    expect(marked.drawdownHalt).toEqual({ limit: 1_800, value: 1_800, at: NOW + 2 });
  });
});
