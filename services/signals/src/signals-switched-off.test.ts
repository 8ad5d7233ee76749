import type { Bus } from '@ballast/bus';
import { CONFIG_KEYS, type SignalDecision, Subjects, subject } from '@ballast/contracts';
import { defaultStrategies, StrategiesConfig, switchedOffDecision } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { loggingInto } from './testing/log-lines';
import { onPublish } from './testing/on-publish';
import { pairsUpToFirstPassing } from './testing/paired-vectors';
import { recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const approving = (candidate: SignalDecision['candidate']): SignalDecision => ({
  candidate,
  analyst: null,
  reviewer: null,
  approved: true,
  sizeMultiplier: 1,
});

/** Switches the strategy off as the gateway does, and waits for the service to apply it. */
async function switchOff(fixture: SignalsFixture, strategy: string): Promise<void> {
  await new BotStateRepository(fixture.db, fixture.clock).set(CONFIG_KEYS.strategies, { [strategy]: false });
  await fixture.testBus.publish(subject(Subjects.configChanged, {}), {
    key: CONFIG_KEYS.strategies,
    changeId: `switch-off-${strategy}`,
  });
  const applied = async () =>
    (
      await fixture.metrics.getSingleMetric('ballast_signals_strategy_switch_loads_total')?.get()
    )?.values.find((v) => v.labels.outcome === 'applied')?.value;
  await waitFor(async () => (await applied()) === 1, 'the switch applied');
}

describe('signals: a strategy switched off while its candidate waits for the rest of its cycle', () => {
  let fixture: SignalsFixture;

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_switched_off',
      testSource: 'gateway',
      decide: approving,
      env: { SIGNALS_UNIVERSE: 'BTC-USDT,ETH-USDT', SIGNALS_CYCLE_CHECK_MS: '0' },
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('exports the switch-off count of every strategy at 0 before any was switched off', async () => {
    const counted = await fixture.metrics.getSingleMetric('ballast_signals_switched_off_total')?.get();
    const names = defaultStrategies(StrategiesConfig.parse({})).map((s) => s.name);
    expect(names.length).toBeGreaterThan(0);
    expect(counted?.values).toEqual(names.map((strategy) => ({ labels: { strategy }, value: 0 })));
  });

  it('publishes its decision not approved (strategy_disabled), no decision step asked', async () => {
    const pairs = pairsUpToFirstPassing();
    const vectors = pairs.flat();
    const engine = defaultSignalEngine();
    const passing = vectors.flatMap((v) => engine.onFeatures(v)).filter((c) => c.veto === null);
    const candidate = passing.find((c) => c.symbol === 'BTC-USDT')!;
    // Every bar but the last ETH vector: the BTC candidate waits in its cycle for ETH.
    await fixture.publishVectors(vectors.slice(0, -1));
    await fixture.vectorsHandled(vectors.length - 1);
    await switchOff(fixture, candidate.strategy);
    await fixture.publishVectors(vectors.slice(-1));
    const decision = await waitFor(
      () => fixture.decisions.find((d) => d.payload.candidate.id === candidate.id)?.payload,
      'its decision',
    );
    expect(decision).toEqual(switchedOffDecision(candidate));
    expect([decision.approved, decision.rejection?.reason]).toEqual([false, 'strategy_disabled']);
  });
});

describe('signals: a strategy switched off after its candidate was approved, before the approval went out', () => {
  const { vectors } = recordedBtcVectors();
  const engine = defaultSignalEngine();
  const sent = vectors.slice(
    0,
    vectors.findIndex((v) => engine.onFeatures(v).some((c) => c.veto === null)) + 1,
  );
  let fixture: SignalsFixture;
  const lines: string[] = [];
  /** Every decision the service tried to publish, in order. */
  const attempted: SignalDecision[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  /**
   * The first decision's publish waits for the test to switch its strategy off, then fails before it goes
   * out: its approval is stored, never published, and its vector is delivered again.
   */
  const wrapBus = (bus: Bus): Bus =>
    onPublish(bus, async (on, publish, payload) => {
      if (on.family.name !== Subjects.signalDecision.name) return publish();
      attempted.push(payload as SignalDecision);
      if (attempted.length > 1) return publish();
      await released;
      throw new Error('injected failure before the decision went out');
    });

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_switched_off_stored',
      testSource: 'gateway',
      log: loggingInto(lines),
      decide: approving,
      wrapBus,
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('withholds the stored approval on the redelivery, says why, and counts no switch-off for it', async () => {
    await fixture.publishVectors(sent);
    const stored = await waitFor(() => attempted[0], 'the first decision');
    const { id, strategy } = stored.candidate;
    expect(stored.approved).toBe(true);
    await switchOff(fixture, strategy);
    release();
    await fixture.vectorsHandled(sent.length);
    expect(fixture.vectorOutcomes.filter((o) => o === 'error')).toEqual(['error']);
    const again = attempted.slice(1);
    expect(again.filter((d) => d.candidate.id === id)).toEqual([]);
    // Other passing candidates of the strategy, never decided before, are decided now: not approved.
    const others = again.filter((d) => d.candidate.strategy === strategy);
    expect(others).toEqual(others.map((d) => switchedOffDecision(d.candidate)));
    const counted = await fixture.metrics.getSingleMetric('ballast_signals_switched_off_total')?.get();
    expect(counted?.values.find((v) => v.labels.strategy === strategy)?.value).toBe(others.length);
    const said = lines
      .map((l) => JSON.parse(l) as { id?: string; msg: string; reason?: string })
      .filter((l) => l.id === id)
      .map(({ msg, reason }) => ({ msg, reason }));
    expect(said).toEqual([
      {
        msg: 'approval stored before its strategy was switched off, perhaps never published: withheld, no decision published',
        reason: 'strategy_disabled',
      },
    ]);
    expect(fixture.decisions.filter((d) => d.payload.candidate.id === id)).toEqual([]);
  });
});
