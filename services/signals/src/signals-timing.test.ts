import type { Bus } from '@ballast/bus';
import { type FeatureVector, type SignalCandidate, Subjects, TIMEFRAME_MS } from '@ballast/contracts';
import { candidateId, type Decide } from '@ballast/core';
import { createLogger } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { onPublish } from './testing/on-publish';
import { pairsUpToFirstPassing } from './testing/paired-vectors';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import {
  type SignalsFixture,
  type SignalsFixtureOptions,
  startSignalsFixture,
} from './testing/signals-fixture';

const HOUR = TIMEFRAME_MS['1h'];
const { vectors: btc } = recordedBtcVectors();
const closeOf = (v: FeatureVector) => v.openTime + HOUR;

/** The BTC vectors up to the first one with a candidate that passes the vetoes. */
function upToFirstPassing(): FeatureVector[] {
  const engine = defaultSignalEngine();
  const last = btc.findIndex((v) => engine.onFeatures(v).some((c) => c.veto === null));
  return btc.slice(0, last + 1);
}

async function counted(metrics: Registry, name: string): Promise<Record<string, number>> {
  const values = (await metrics.getSingleMetric(name)?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

/** Log lines the service writes at warn and above, parsed. */
function warnings(): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'signals-timing-test',
    level: 'warn',
    destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
  });
  return { lines, log };
}

/** Starts a fixture for the enclosing describe block, disposed of after it. */
function fixtureFor(options: SignalsFixtureOptions): () => SignalsFixture {
  let started: SignalsFixture | undefined;
  beforeAll(async () => {
    started = await startSignalsFixture(options);
  });
  afterAll(async () => {
    await started?.[Symbol.asyncDispose]();
  });
  return () => {
    if (!started) throw new Error('fixture not started');
    return started;
  };
}

/** A decision step that approves, keeping what each decision was judged on. */
function judging(): {
  judged: Array<{ candidate: SignalCandidate; features: FeatureVector }>;
  decide: Decide;
} {
  const judged: Array<{ candidate: SignalCandidate; features: FeatureVector }> = [];
  const decide: Decide = (candidate, features) => {
    judged.push({ candidate, features });
    return { candidate, analyst: null, reviewer: null, approved: true, sizeMultiplier: 1 };
  };
  return { judged, decide };
}

/** A universe SOL never reports in, cycles ranked 30 s after their close, checked every 20 ms. */
const WITHOUT_SOL_TIMED = {
  SIGNALS_UNIVERSE: 'BTC-USDT,ETH-USDT,SOL-USDT',
  SIGNALS_CYCLE_GRACE_MS: '30000',
  SIGNALS_CYCLE_CHECK_MS: '20',
};

/** Publishes each pair, then lets the grace pass on the clock before the next bar: the check ranks it without SOL. */
async function eachRankedAtDeadline(
  fixture: SignalsFixture,
  pairs: ReadonlyArray<readonly [FeatureVector, FeatureVector]>,
): Promise<void> {
  for (const [i, pair] of pairs.entries()) {
    await fixture.publishVectors(pair);
    await fixture.vectorsHandled(2 * (i + 1));
    fixture.bars?.set(closeOf(pair[0]) + 30_000);
    await waitFor(
      async () => (await counted(fixture.metrics, 'ballast_signals_cycles_total')).incomplete === i + 1,
      `cycle ${i} ranked`,
    );
  }
}

describe(`signals: a backlog of feature vectors delivered after an outage (${RECORDED_FILE})`, () => {
  const { lines, log } = warnings();
  const started = fixtureFor({ name: 'signals_backlog', log });

  it('proposes nothing for bars that closed more than SIGNALS_MAX_VECTOR_AGE_MS ago; counts and says it once', async () => {
    const fixture = started();
    const sent = upToFirstPassing();
    const last = sent[sent.length - 1]!;
    // Down for three hours after the last bar closed: every vector arrives at least three hours old.
    fixture.bars?.set(closeOf(last) + 3 * HOUR);
    await fixture.publishVectors(sent);
    await fixture.vectorsHandled(sent.length);
    expect(fixture.candidates).toEqual([]);
    expect(fixture.decisions).toEqual([]);
    expect(await counted(fixture.metrics, 'ballast_signals_vectors_total')).toMatchObject({
      stale: sent.length,
      new: 0,
    });
    expect(lines.filter((l) => l.reason === 'stale_vector')).toEqual([
      expect.objectContaining({ symbol: 'BTC-USDT', openTime: sent[0]!.openTime, maxAgeMs: 60_000 }),
    ]);
  });
});

// The agents take this long on the bar clock for each decision, while the next vectors wait in the queue:
// 70 s, and 140 s, inside the worst of the default agents (3 × 20 s timeouts + 2 × 8 s backoffs, twice:
// 152 s) and past what the default queue allowed before it counted the backoffs (120 s).
describe.each([
  { decisionMs: 70_000, name: 'signals_slow_decision' },
  { decisionMs: 140_000, name: 'signals_slowest_decision' },
])(
  'signals: vectors of one bar queued behind a decision of $decisionMs ms (no universe: each its own cycle)',
  ({ decisionMs, name }) => {
    let fixture: SignalsFixture | undefined;
    const judged: string[] = [];
    const decide: Decide = (candidate) => {
      judged.push(candidate.symbol);
      fixture?.bars?.advance(decisionMs);
      return { candidate, analyst: null, reviewer: null, approved: true, sizeMultiplier: 1 };
    };
    const started = fixtureFor({ name, decide });

    it('proposes for the vectors received after it: they were published on time, not stale', async () => {
      fixture = started();
      const pairs = pairsUpToFirstPassing();
      const expected = defaultSignalEngine();
      const want = pairs.flat().flatMap((v) => expected.onFeatures(v));
      await fixture.publishVectors(pairs.flat());
      await fixture.vectorsHandled(2 * pairs.length);
      expect(judged).toContain('BTC-USDT');
      expect(await counted(fixture.metrics, 'ballast_signals_vectors_total')).toMatchObject({
        new: 2 * pairs.length,
      });
      expect((await counted(fixture.metrics, 'ballast_signals_vectors_total')).stale ?? 0).toBe(0);
      await waitFor(() => fixture?.candidates.length === want.length, 'every candidate');
      expect(fixture.candidates.map((m) => m.payload.id)).toEqual(want.map((c) => c.id));
    });
  },
);

describe('signals: a universe symbol that never reports (BTC and ETH report, SOL does not)', () => {
  const { lines, log } = warnings();
  const { judged, decide } = judging();
  const started = fixtureFor({
    name: 'signals_deadline',
    log,
    decide,
    env: WITHOUT_SOL_TIMED,
  });

  it('ranks the cycle at its deadline, not a bar later, judged on its own bar, naming the missing symbol', async () => {
    const fixture = started();
    const pairs = pairsUpToFirstPassing();
    const [lastBtc] = pairs[pairs.length - 1]!;
    await eachRankedAtDeadline(fixture, pairs);
    await waitFor(() => judged.some((j) => j.candidate.symbol === 'BTC-USDT'), 'the BTC decision');
    // A candidate's id is derived from its own bar: the vector it was judged on must give the same id.
    for (const { candidate, features } of judged) expect(candidateId(candidate, features)).toBe(candidate.id);
    expect(judged.find((j) => j.candidate.symbol === 'BTC-USDT')?.features.openTime).toBe(lastBtc.openTime);
    expect(await counted(fixture.metrics, 'ballast_signals_cycles_total')).toEqual({
      complete: 0,
      incomplete: pairs.length,
    });
    expect(lines.find((l) => l.reason === 'incomplete_cycle')).toMatchObject({
      exchange: 'binance',
      timeframe: '1h',
      missing: ['SOL-USDT'],
      neverReported: ['SOL-USDT'],
    });
  });
});

/** The ids of the candidates the vectors raise, whatever cycles they are ranked in. */
function idsRaisedBy(vectors: readonly FeatureVector[]): string[] {
  const engine = defaultSignalEngine();
  return vectors.flatMap((v) => engine.onFeatures(v)).map((c) => c.id);
}

describe('signals: a cycle closed at its deadline whose first candidate publish fails', () => {
  let failNext = true;
  /** The first candidate publish fails before it reaches the stream. */
  const wrapBus = (bus: Bus): Bus =>
    onPublish(bus, async (on, publish) => {
      if (failNext && on.family.name === Subjects.signalCandidate.name) {
        failNext = false;
        throw new Error('injected candidate publish failure');
      }
      return publish();
    });
  const { decide } = judging();
  const started = fixtureFor({
    name: 'signals_deadline_retry',
    decide,
    wrapBus,
    env: WITHOUT_SOL_TIMED,
  });

  it('publishes its candidates on a later check (their vectors were acknowledged)', async () => {
    const fixture = started();
    const pairs = pairsUpToFirstPassing();
    await eachRankedAtDeadline(fixture, pairs);
    expect(failNext).toBe(false);
    const want = idsRaisedBy(pairs.flat());
    await waitFor(
      () => new Set(fixture.candidates.map((c) => c.payload.id)).size === want.length,
      'every candidate',
    );
    expect(new Set(fixture.candidates.map((c) => c.payload.id))).toEqual(new Set(want));
    await waitFor(
      () => fixture.decisions.some((d) => d.payload.candidate.symbol === 'BTC-USDT'),
      'the BTC decision',
    );
  });
});

describe('signals: a cycle still waiting for a symbol when the service stops (no timer)', () => {
  const { decide } = judging();
  const started = fixtureFor({
    name: 'signals_flush',
    decide,
    env: { SIGNALS_UNIVERSE: 'BTC-USDT,ETH-USDT,SOL-USDT', SIGNALS_CYCLE_CHECK_MS: '0' },
  });

  it('ranks and publishes it at shutdown: its vectors were acknowledged and come no more', async () => {
    const fixture = started();
    const pairs = pairsUpToFirstPassing();
    await fixture.publishVectors(pairs.flat());
    await fixture.vectorsHandled(2 * pairs.length);
    await fixture.restart();
    const want = idsRaisedBy(pairs.flat());
    await waitFor(() => fixture.candidates.length >= want.length, 'every candidate');
    expect(new Set(fixture.candidates.map((c) => c.payload.id))).toEqual(new Set(want));
    await waitFor(
      () => fixture.decisions.some((d) => d.payload.candidate.symbol === 'BTC-USDT'),
      'the BTC decision',
    );
  });
});

describe('signals: a cycle past its deadline ranked by the next bar’s vector (no timer)', () => {
  const { judged, decide } = judging();
  const started = fixtureFor({
    name: 'signals_own_bar',
    decide,
    env: { SIGNALS_UNIVERSE: 'BTC-USDT,ETH-USDT,SOL-USDT', SIGNALS_CYCLE_CHECK_MS: '0' },
  });

  it('decides each candidate on the vector of its own bar, not the newest of its series', async () => {
    const fixture = started();
    const pairs = pairsUpToFirstPassing();
    const [lastBtc] = pairs[pairs.length - 1]!;
    const next = btc[btc.findIndex((v) => v.openTime === lastBtc.openTime) + 1]!;
    await fixture.publishVectors([...pairs.flat(), next]);
    await fixture.vectorsHandled(2 * pairs.length + 1);
    await waitFor(() => judged.some((j) => j.candidate.symbol === 'BTC-USDT'), 'the BTC decision');
    // A candidate's id is derived from its own bar: the vector it was judged on must give the same id.
    for (const { candidate, features } of judged) expect(candidateId(candidate, features)).toBe(candidate.id);
    expect(judged.find((j) => j.candidate.symbol === 'BTC-USDT')?.features.openTime).toBe(lastBtc.openTime);
  });
});

describe(`signals: a vector one strategy cannot read (${RECORDED_FILE})`, () => {
  const { lines, log } = warnings();
  const started = fixtureFor({ name: 'signals_unreadable', log });

  it('publishes the other strategies’ candidates, counts it unreadable and names the strategy', async () => {
    const fixture = started();
    // 2017-09-10 00:00: trend_pullback proposes; a squeeze before it has the breakout read the bands.
    const at = btc.findIndex((v) => v.openTime === Date.UTC(2017, 8, 10, 0));
    const { bbUpper: _upper, bbLower: _lower, ...indicators } = btc[at]!.indicators;
    const sent = [...btc.slice(0, at), { ...btc[at]!, indicators }];
    const expected = defaultSignalEngine();
    const want = sent.flatMap((v) => expected.onFeatures(v));
    expect(want.filter((c) => c.strategy === 'trend_pullback').length).toBeGreaterThan(0);
    await fixture.publishVectors(sent);
    await fixture.vectorsHandled(sent.length);
    await waitFor(() => fixture.candidates.length === want.length, 'every candidate');
    expect(fixture.candidates.map((m) => m.payload)).toEqual(want);
    // The recording misses bars (a venue outage): the vector after each is new, but skipped as after_gap.
    const afterGap = sent.filter((v, i) => i > 0 && v.openTime - sent[i - 1]!.openTime !== HOUR).length;
    expect(afterGap).toBeGreaterThan(0);
    expect(await counted(fixture.metrics, 'ballast_signals_vectors_total')).toMatchObject({
      new: sent.length - 1 - afterGap,
      unreadable: 1,
      after_gap: afterGap,
    });
    expect(lines.filter((l) => l.reason === 'unreadable_vector')).toEqual([
      expect.objectContaining({
        openTime: btc[at]!.openTime,
        strategies: [{ strategy: 'bollinger_breakout', reason: 'feature vector lacks indicator bbUpper' }],
      }),
    ]);
  });
});
