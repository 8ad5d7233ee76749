import { RulesProvider, settleReview } from '@ballast/agents';
import { type SignalCandidate, Subjects, subject } from '@ballast/contracts';
import {
  defaultStrategies,
  HourExpectancyTable,
  hourExpectancies,
  SignalEngine,
  StrategiesConfig,
  VetoConfig,
} from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  ClosedTradeRepository,
  type DbHandle,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();
// trend_pullback entries at 08:00 UTC lost money over 30 trades: the 2017-09-01 07:00 bar's entry is vetoed.
const HOUR_STATS = [{ strategy: 'trend_pullback', hourUtc: 8, trades: 30, expectancy: -0.25 }];
/** The closed trades behind HOUR_STATS: 15 losses of 1.25 and 15 wins of 0.75, net, entered at 08:xx UTC. */
const LOSING_08 = Array.from({ length: 30 }, (_, i) => ({
  tradeKey: `tp-08-${i}`,
  strategy: 'trend_pullback',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  pnl: i % 2 === 0 ? -1.25 : 0.75,
  fees: 0.1,
  entryTime: Date.UTC(2017, 7, 1 + i, 8, i),
  closeTime: Date.UTC(2017, 7, 1 + i, 15),
}));

/** What the risk service does with each close: record it and recompute its strategy's hour statistics. */
async function recordClose(db: DbHandle['db'], trade: (typeof LOSING_08)[number]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const trades = new ClosedTradeRepository(trx);
    await trades.record(trade);
    const stats = hourExpectancies(await trades.ofStrategy(trade.strategy));
    await new StrategyHourStatsRepository(trx).upsertMany(stats, new Date(trade.closeTime));
  });
}

describe(`signals service over NATS (feature vectors of ${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;
  let candidates: SignalsFixture['candidates'];
  let decisions: SignalsFixture['decisions'];
  let metrics: SignalsFixture['metrics'];
  let testBus: SignalsFixture['testBus'];

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_service',
      seed: async (db) => {
        for (const trade of LOSING_08) await recordClose(db, trade);
        expect(await new StrategyHourStatsRepository(db).all()).toEqual(HOUR_STATS);
      },
    });
    ({ candidates, decisions, metrics, testBus } = fixture);
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('publishes every candidate with its veto, and the offline rules decision for each one that passed', async () => {
    const expected = new SignalEngine({
      strategies: defaultStrategies(StrategiesConfig.parse({})),
      vetoes: VetoConfig.parse({}),
      hours: new HourExpectancyTable(HOUR_STATS),
    });
    const want = vectors.flatMap((v) =>
      expected.onFeatures(v).map((candidate) => ({ candidate, vector: v })),
    );
    const passed = want.filter(({ candidate }) => candidate.veto === null);
    const rules = new RulesProvider();
    const meta = { provider: 'rules', model: 'rules', fallbackUsed: false, auditId: expect.any(String) };
    await fixture.publishVectors(vectors);
    await waitFor(
      () => candidates.length >= want.length && decisions.length >= passed.length,
      'every candidate and decision',
      { timeoutMs: 20_000 },
    );
    expect(candidates.map((m) => m.payload)).toEqual(want.map((w) => w.candidate));
    expect(decisions.map((m) => m.payload)).toEqual(
      passed.map(({ candidate, vector }) => {
        const analyst = rules.analyse(candidate, vector);
        const reviewer = rules.review(candidate, vector, analyst);
        return {
          candidate,
          analyst: { ...analyst, meta },
          reviewer: { ...reviewer, meta },
          ...settleReview({ verdict: reviewer, failure: null }, vector.volatility, 'rules'),
        };
      }),
    );
    const first = decisions[0];
    if (!first) throw new Error('no decision');
    const rows = await new AgentCallRepository(fixture.db).byCorrelationId(first.correlationId);
    // Both calls can be recorded in the same millisecond: their order in the table is not the point.
    const byAgent = [...rows].sort((a, b) => a.agent.localeCompare(b.agent));
    expect(byAgent.map((r) => [r.agent, r.provider, r.id])).toEqual([
      ['analyst', 'rules', first.payload.analyst?.meta.auditId],
      ['reviewer', 'rules', first.payload.reviewer?.meta.auditId],
    ]);
    // Hindsight on the vetoed candidates writes rules lessons once 24 later bars are known.
    const lessons = new AgentLessonRepository(fixture.db);
    const vetoed = want.find(({ candidate }) => candidate.veto !== null)?.candidate;
    if (!vetoed) throw new Error('no vetoed candidate');
    const written = await waitFor(
      async () => {
        const found = await lessons.recent({ symbol: 'BTC-USDT', setup: vetoed.setup, limit: 50 });
        return found.length > 0 ? found : undefined;
      },
      'a hindsight lesson',
      { timeoutMs: 10_000 },
    );
    expect(written[0]?.lesson).toMatch(/^Rejected (long|short) BTC-USDT .* would have made -?\d+\.\dR/);
    expect(written[0]?.source).toBe('rules');
    const hourVeto = candidates.find((m) => m.payload.veto?.reason === 'negative_hour_expectancy')?.payload;
    expect(hourVeto).toMatchObject({
      strategy: 'trend_pullback',
      side: 'long',
      veto: {
        reason: 'negative_hour_expectancy',
        detail: 'trend_pullback at 8:00 UTC: expectancy -0.250 net per trade over 30 trades',
      },
    });
    expect(new Set(candidates.map((m) => m.payload.veto?.reason ?? 'passed'))).toEqual(
      new Set(['passed', 'wrong_regime', 'higher_timeframe_disagrees', 'negative_hour_expectancy']),
    );
  });

  it('re-reads the hour expectancy once the close of a position is recorded: the next 08:00 entry then passes', async () => {
    // The recording goes on past the first test's bars to the next trend_pullback entry at 08:00 UTC,
    // which the first test's table vetoes.
    const later = recordedBtcVectors(900).vectors.slice(vectors.length);
    const oldTable = new SignalEngine({
      strategies: defaultStrategies(StrategiesConfig.parse({})),
      vetoes: VetoConfig.parse({}),
      hours: new HourExpectancyTable(HOUR_STATS),
    });
    for (const v of vectors) oldTable.onFeatures(v);
    let vetoed: SignalCandidate | undefined;
    const at = later.findIndex((v) => {
      vetoed = oldTable.onFeatures(v).find((c) => c.veto?.reason === 'negative_hour_expectancy');
      return vetoed !== undefined;
    });
    expect(later[at]?.openTime).toBe(Date.UTC(2017, 8, 22, 7));
    const closed = await testBus.publish(subject(Subjects.positionEvent, {}), {
      status: 'closed',
      positionId: 'pos-1',
      strategy: 'trend_pullback',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0,
      avgEntry: 4_700,
      realizedPnl: 12.5,
      fees: 0.4,
    });
    // Recorded after signals heard of the close, as risk may well be: signals waits for the record.
    // A win of 12.1 at 08:00 takes the hour's 31 trades to (−7.5 + 12.1) / 31 > 0.
    await recordClose(fixture.db, {
      ...LOSING_08[0]!,
      tradeKey: closed.id,
      pnl: 12.1,
      entryTime: Date.UTC(2017, 8, 2, 8),
      closeTime: Date.UTC(2017, 8, 2, 12),
    });
    expect(await new StrategyHourStatsRepository(fixture.db).all()).toEqual([
      { ...HOUR_STATS[0]!, trades: 31, expectancy: expect.closeTo(4.6 / 31, 12) },
    ]);
    const refreshes = async () =>
      (await metrics.getSingleMetric('ballast_signals_hour_stats_refreshes_total')!.get()).values[0]?.value;
    await waitFor(async () => (await refreshes()) === 1, 'one refresh', { timeoutMs: 20_000 });
    // The bars that follow, up to that entry: the same proposal, judged by the refreshed table.
    await fixture.publishVectors(later.slice(0, at + 1));
    const passed = await waitFor(
      () => candidates.find((m) => m.payload.id === vetoed?.id)?.payload,
      'the 08:00 candidate',
      { timeoutMs: 20_000 },
    );
    expect(passed).toEqual({ ...vetoed, veto: null });
  });
});
