import { join } from 'node:path';
import type { SignalDecision } from '@ballast/contracts';
import { SignalDecisionRepository } from '@ballast/db';
import { type MigratedTestDb, migratedTestDb } from '@ballast/db/testing';
import { sharedDataDir } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestDecision, BacktestResult, BacktestTrade } from './backtest-result';
import { loadRecordedDecisions } from './load-recorded-decisions';
import { type RunBacktestOptions, runBacktest } from './run-backtest';

// Real Binance spot 1h candles: BTCUSDT and ETHUSDT, January 2021.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const options: RunBacktestOptions = {
  files: [join(data, 'BTCUSDT-1h.csv.gz'), join(data, 'ETHUSDT-1h.csv.gz')],
  timeframe: '1h',
  from: Date.UTC(2021, 0, 1),
  to: Date.UTC(2021, 1, 1),
  seed: 7,
  config: {
    exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
  },
};
const HOUR = 3_600_000;

/** A reviewer model's no, as the signals service would have kept it. */
function rejectedByReviewer(decision: SignalDecision): SignalDecision {
  const meta = { provider: 'anthropic', model: 'claude-test', fallbackUsed: false, auditId: null };
  return {
    ...decision,
    reviewer: { approve: false, sizeMultiplier: 0, reasons: ['chasing a spike'], meta },
    approved: false,
    sizeMultiplier: 0,
    rejection: { reason: 'reviewer_rejected', detail: 'chasing a spike' },
  };
}

/** A reviewer model's yes at a tenth of the size the rules approved (the rules' size was capped by max_position). */
function shrunkByReviewer(decision: SignalDecision): SignalDecision {
  const meta = { provider: 'anthropic', model: 'claude-test', fallbackUsed: false, auditId: null };
  const sizeMultiplier = decision.sizeMultiplier / 10;
  return {
    ...decision,
    reviewer: { approve: true, sizeMultiplier, reasons: ['stretched: small size'], meta },
    sizeMultiplier,
  };
}

/** The trade a candidate's approval opened: same market, strategy and side, filled within a bar of it. */
function tradeOf(trades: readonly BacktestTrade[], d: BacktestDecision): BacktestTrade | undefined {
  return trades.find(
    (t) =>
      t.symbol === d.symbol &&
      t.strategy === d.strategy &&
      t.side === d.side &&
      t.entry_time >= d.time &&
      t.entry_time <= d.time + HOUR,
  );
}

let testDb: MigratedTestDb;
let rules: BacktestResult;
let replayed: BacktestResult;
let recorded: BacktestResult;
let rulesDecisions: SignalDecision[];
let flipped: BacktestDecision[];
let unrecorded: BacktestDecision[];
let shrunk: BacktestDecision[];

beforeAll(async () => {
  testDb = await migratedTestDb('backtest_recorded_verdicts');
  rulesDecisions = [];
  rules = await runBacktest({
    ...options,
    onSignalDecision: (d) => {
      rulesDecisions.push(d);
    },
  });
  const traded = rules.decisions.filter((d) => d.outcome === 'approved' && tradeOf(rules.trades, d));
  // The rules reviewer rejected none that passed the vetoes here, so the record differs the other ways:
  // the first trade at a tenth of the size, two trades the reviewer model said no to, two candidates never decided.
  shrunk = traded.slice(0, 1);
  flipped = traded.slice(1, 3);
  unrecorded = traded.slice(3, 5);
  const shrunkIds = new Set(shrunk.map((d) => d.candidate_id));
  const flippedIds = new Set(flipped.map((d) => d.candidate_id));
  const unrecordedIds = new Set(unrecorded.map((d) => d.candidate_id));
  const repo = new SignalDecisionRepository(testDb.db);
  const decidedAt = Date.UTC(2021, 0, 1);
  for (const decision of rulesDecisions) {
    const id = decision.candidate.id;
    if (unrecordedIds.has(id)) continue;
    const kept = flippedIds.has(id)
      ? rejectedByReviewer(decision)
      : shrunkIds.has(id)
        ? shrunkByReviewer(decision)
        : decision;
    await repo.keepFirst(id, kept, decidedAt);
  }
  const kept = await loadRecordedDecisions(testDb.db, options.from ?? 0);
  // The rules' own verdicts replayed: the run must come out as the rules run did.
  const same = rulesDecisions.map((d) => ({ candidateId: d.candidate.id, decision: d }));
  replayed = await runBacktest({
    ...options,
    config: { ...options.config, agents: 'recorded' },
    recordedDecisions: same,
  });
  recorded = await runBacktest({
    ...options,
    config: { ...options.config, agents: 'recorded' },
    recordedDecisions: kept,
  });
}, 600_000);

afterAll(async () => {
  await testDb?.close();
});

describe("agents: 'recorded'", () => {
  it('the rules run traded enough candidates to flip some', () => {
    expect(flipped).toHaveLength(2);
    expect(unrecorded).toHaveLength(2);
    expect(shrunk).toHaveLength(1);
  });

  it("replaying the rules' own decisions reproduces the rules run", () => {
    expect(replayed.trades).toEqual(rules.trades);
    expect(replayed.decisions).toEqual(rules.decisions);
    expect(replayed.meta.recorded_verdicts).toEqual({
      rows: rulesDecisions.length,
      unreadable: 0,
      hits: rulesDecisions.length,
      approved: rulesDecisions.filter((d) => d.approved).length,
      misses: 0,
      candidate_differs: 0,
    });
  });

  it('a trade the rules approved is not taken when the recorded reviewer rejected its candidate', () => {
    for (const d of flipped) {
      expect(tradeOf(rules.trades, d)).toBeDefined();
      expect(recorded.decisions.find((r) => r.candidate_id === d.candidate_id)?.outcome).toBe(
        'review_rejected',
      );
      expect(recorded.trades.filter((t) => tradeOf([t], d))).toEqual([]);
    }
  });

  it("a trade is sized by the recorded reviewer's multiplier", () => {
    for (const d of shrunk) {
      const before = tradeOf(rules.trades, d);
      const after = tradeOf(recorded.trades, d);
      expect(recorded.decisions.find((r) => r.candidate_id === d.candidate_id)?.outcome).toBe('approved');
      // The rules' quantity was capped by max_position; a tenth of the risk budget is well under the cap.
      expect(after?.qty).toBeGreaterThan(0);
      expect(after?.qty).toBeLessThan((before?.qty ?? 0) / 2);
    }
  });

  it('a candidate without a recorded decision is rejected as no_recorded_verdict, and counted', () => {
    for (const d of unrecorded) {
      expect(recorded.decisions.find((r) => r.candidate_id === d.candidate_id)?.outcome).toBe(
        'no_recorded_verdict',
      );
      expect(recorded.trades.filter((t) => tradeOf([t], d))).toEqual([]);
    }
    const summary = recorded.meta.recorded_verdicts;
    expect(summary?.misses).toBe(2);
    expect(summary?.rows).toBe(rulesDecisions.length - 2);
    expect(summary?.hits).toBe(rulesDecisions.length - 2);
    expect(summary?.approved).toBe(rulesDecisions.filter((d) => d.approved).length - 4);
    expect(summary?.unreadable).toBe(0);
  });

  it('a run without agents recorded carries no replay counts', () => {
    expect(rules.meta.recorded_verdicts).toBeUndefined();
  });
});
