import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import {
  defaultStrategies,
  FeatureEngine,
  HourExpectancyTable,
  parseBinanceKlineCsv,
  SignalEngine,
  StrategiesConfig,
  VetoConfig,
} from '@ballast/core';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { resultInR } from '../pipeline/reflection-input';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { HindsightTracker } from './hindsight-tracker';
import { TradeOutcomeTracker } from './trade-outcome-tracker';

const FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

function realVectors(): FeatureVector[] {
  const engine = new FeatureEngine();
  return parseBinanceKlineCsv(readDataFile(FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  })
    .candles.slice(0, 600)
    .map((c) => engine.onCandle(c))
    .filter((v): v is FeatureVector => v !== null);
}

describe(`HindsightTracker over the feature vectors of ${FILE}`, () => {
  const vectors = realVectors();
  const signals = new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
    hours: new HourExpectancyTable([]),
  });
  const vetoed: Array<{ candidate: SignalCandidate; index: number }> = [];
  vectors.forEach((v, index) => {
    for (const c of signals.onFeatures(v)) if (c.veto) vetoed.push({ candidate: c, index });
  });

  /** Replays the vectors and vetoes; `deliveries` 2 hands every bar and every veto over twice. */
  function judge(deliveries: number) {
    const tracker = new HindsightTracker({ bars: 24, maxPending: 1_000 });
    const resolved = new Map<string, { price: number; at: number }>();
    let inputs = 0;
    vectors.forEach((v, index) => {
      for (let d = 0; d < deliveries; d++) {
        for (const input of tracker.onFeatures(v)) {
          inputs++;
          resolved.set(input.correlationId, { price: input.outcomePrice, at: index });
        }
        for (const { candidate } of vetoed.filter((x) => x.index === index)) {
          tracker.track(candidate, v.openTime, candidate.id, 'vetoed');
        }
      }
    });
    return { resolved, inputs, left: tracker.size };
  }

  it('a redelivered bar or veto is counted once: the same lessons, each once', () => {
    const once = judge(1);
    const twice = judge(2);
    expect(once.inputs).toBeGreaterThanOrEqual(10);
    expect(twice).toEqual(once);
  });

  it('resolves each vetoed candidate at the first close through its stop or target, else after 24 bars', () => {
    const { resolved } = judge(1);
    expect(vetoed.length).toBeGreaterThan(10);
    const judged = vetoed.filter(({ index }) => index + 24 < vectors.length);
    for (const { candidate, index } of judged) {
      const later = vectors.slice(index + 1, index + 25);
      const target = candidate.takeProfits[0] ?? 0;
      const long = candidate.side === 'long';
      const hit = later.findIndex((v) =>
        long
          ? v.close <= candidate.stop || v.close >= target
          : v.close >= candidate.stop || v.close <= target,
      );
      const close = later[hit]?.close ?? 0;
      const stopped = long ? close <= candidate.stop : close >= candidate.stop;
      const want =
        hit === -1
          ? { price: later[23]?.close, at: index + 24 }
          : { price: stopped ? candidate.stop : target, at: index + 1 + hit };
      expect(resolved.get(candidate.id)).toEqual(want);
    }
  });

  it('drops the oldest candidate beyond its bound', () => {
    const tracker = new HindsightTracker({ bars: 24, maxPending: 2 });
    const [a, b, c] = vetoed;
    if (!a || !b || !c) throw new Error('need three vetoed candidates');
    expect(tracker.track(a.candidate, 0, 'a', 'vetoed')).toBe(true);
    expect(tracker.track(b.candidate, 0, 'b', 'vetoed')).toBe(true);
    expect(tracker.track(c.candidate, 0, 'c', 'vetoed')).toBe(false);
    expect(tracker.size).toBe(2);
  });
});

describe('TradeOutcomeTracker', () => {
  // Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
  const { candidate } = fixtureFor(recordedBtcCandles());
  const decision = {
    candidate,
    analyst: null,
    reviewer: {
      approve: true,
      sizeMultiplier: 0.5,
      reasons: ['trend intact'],
      meta: { provider: 'rules', model: 'rules', fallbackUsed: false, auditId: null },
    },
    approved: true,
    sizeMultiplier: 0.5,
  };
  const position = {
    positionId: 'binance:BTC-USDT',
    strategy: candidate.strategy,
    exchange: candidate.exchange,
    symbol: candidate.symbol,
    side: 'long' as const,
    fees: 0,
  };

  it('links a close to the approved decision and derives the exit from this position’s PnL', () => {
    const tracker = new TradeOutcomeTracker();
    tracker.onDecision(decision, 'corr-decision');
    const entry = candidate.entry;
    const risk = entry - candidate.stop;
    expect(
      tracker.onPosition({ ...position, status: 'opened', qty: 0.5, avgEntry: entry, realizedPnl: 40 }, 'e1'),
    ).toBeNull();
    tracker.onPosition({ ...position, status: 'changed', qty: 1, avgEntry: entry, realizedPnl: 40 }, 'e2');
    // One unit closed 0.75 R below entry: PnL −0.75 × risk on top of the 40 already realized before.
    const input = tracker.onPosition(
      { ...position, status: 'closed', qty: 0, avgEntry: entry, realizedPnl: 40 - 0.75 * risk },
      'e3',
    );
    expect(input).toEqual({
      correlationId: 'corr-decision',
      kind: 'closed_position',
      symbol: 'BTC-USDT',
      setup: 'pullback',
      side: 'long',
      entry,
      stop: candidate.stop,
      outcomePrice: entry - 0.75 * risk,
      decision: 'approved at 0.5: trend intact',
    });
    if (input === null || typeof input === 'string') throw new Error('expected an input');
    expect(resultInR(input)).toBeCloseTo(-0.75, 9);
  });

  it('keeps what it knows when no decision was seen, and reports a close whose open it missed', () => {
    const tracker = new TradeOutcomeTracker();
    tracker.onPosition({ ...position, status: 'opened', qty: 2, avgEntry: 100, realizedPnl: 0 }, 'e1');
    expect(
      tracker.onPosition({ ...position, status: 'closed', qty: 0, avgEntry: 100, realizedPnl: 10 }, 'e2'),
    ).toMatchObject({
      correlationId: 'e2',
      setup: 'ema-cross',
      stop: null,
      outcomePrice: 105,
    });
    expect(
      tracker.onPosition({ ...position, status: 'closed', qty: 0, avgEntry: 100, realizedPnl: 10 }, 'e3'),
    ).toBe('open_not_seen');
  });
});
