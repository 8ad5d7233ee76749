import { describe, expect, it } from 'vitest';
import { NOW, solCandidate, spotRules } from './entry.fixture';
import { type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { btcusdtBook } from './real-market.fixture';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { initialRiskState } from './risk-state';

// The recorded BTCUSDT book of 2021-04-04 (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json):
// best bid 58,001.03, best ask 58,001.04.
const { book } = btcusdtBook();
const [BID, ASK] = [58_001.03, 58_001.04];
const MID = (BID + ASK) / 2;
const limits = { ...DEFAULT_RISK_LIMITS, allowShort: true };
const empty = initialRiskState(10_000, NOW);

const btc = (over: Partial<EntryCandidate>) =>
  solCandidate({ symbol: 'BTC-USDT', book, rules: spotRules.BTCUSDT!, ...over });
const btcLong = (entry: number, over: Partial<EntryCandidate> = {}) =>
  btc({ entry, stop: entry * 0.99, takeProfits: [entry * 1.03], ...over });

describe('an entry priced away from the book (entry_off_market)', () => {
  it('denies a long whose entry lies far below the market: sized at 40,000, it would be bought at 58,001', () => {
    expect(
      evaluateEntry(empty, btc({ entry: 40_000, stop: 39_600, takeProfits: [41_000] }), limits, NOW),
    ).toEqual({
      ok: false,
      reason: 'entry_off_market',
      limit: 50,
      value: expect.closeTo(((MID - 40_000) / MID) * 10_000, 9),
      detail:
        'binance:BTC-USDT long entry 40000 is 3103.6 bps from the market 58001.035 (at most 50): ' +
        "sized at its price, it would fill at the market's",
    });
  });

  it('measures from the mid, within maxEntryGapBps either way, long or short', () => {
    // Entries go on the 0.01 tick first: the gaps are 51 bps to within a thousandth.
    const below = ASK * (1 - 0.0049);
    const above = ASK * (1 + 0.0051);
    expect(evaluateEntry(empty, btcLong(below), limits, NOW)).toMatchObject({ ok: true });
    expect(evaluateEntry(empty, btcLong(above), limits, NOW)).toMatchObject({
      ok: false,
      reason: 'entry_off_market',
      value: expect.closeTo(51, 2),
    });
    const short = (entry: number) =>
      btc({ side: 'short', entry, stop: entry * 1.01, takeProfits: [entry * 0.97] });
    expect(evaluateEntry(empty, short(BID * 1.0049), limits, NOW)).toMatchObject({ ok: true });
    expect(evaluateEntry(empty, short(BID * 0.9949), limits, NOW)).toMatchObject({
      reason: 'entry_off_market',
      value: expect.closeTo(51, 2),
    });
  });

  it('takes the gap allowed from the limits', () => {
    const wide = { ...limits, maxEntryGapBps: 100 };
    expect(evaluateEntry(empty, btcLong(ASK * 1.0051), wide, NOW)).toMatchObject({ ok: true });
  });

  it('leaves an entry without a book, or without asks, to the liquidity rule', () => {
    const none = 'streamed: none updated within 2000 ms; REST depth read failed: no answer within 5000 ms';
    expect(evaluateEntry(empty, btcLong(40_000, { book: { none } }), limits, NOW)).toMatchObject({
      reason: 'liquidity',
      detail: `no binance:BTC-USDT order book to size against (${none})`,
    });
    // One side empty: measured from the touch it would take, which is none here.
    const noAsks = { bids: book.bids, asks: [] };
    expect(evaluateEntry(empty, btcLong(40_000, { book: noAsks }), limits, NOW)).toMatchObject({
      reason: 'liquidity',
    });
  });
});

describe('a signal decided too long ago (stale_signal)', () => {
  it('denies a signal older than maxSignalAgeMs, on the clock risk decides by', () => {
    const maxAge = DEFAULT_RISK_LIMITS.maxSignalAgeMs;
    expect(maxAge).toBe(60_000);
    const decidedAt = NOW - maxAge - 1;
    expect(evaluateEntry(empty, btcLong(ASK, { signalTime: decidedAt }), limits, NOW)).toEqual({
      ok: false,
      reason: 'stale_signal',
      limit: 60_000,
      value: 60_001,
      detail: 'the signal was decided 60001 ms ago, more than 60000 ms',
    });
    expect(evaluateEntry(empty, btcLong(ASK, { signalTime: NOW - maxAge }), limits, NOW)).toMatchObject({
      ok: true,
    });
  });
});
