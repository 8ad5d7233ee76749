import { CONFIG_KEYS, Subjects, subject } from '@ballast/contracts';
import { defaultStrategies, StrategiesConfig, switchedOffDecision } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { pairsUpToFirstPassing } from './testing/paired-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

describe('signals: a strategy switched off while its candidate waits for the rest of its cycle', () => {
  let fixture: SignalsFixture;

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_switched_off',
      testSource: 'gateway',
      decide: (candidate) => ({
        candidate,
        analyst: null,
        reviewer: null,
        approved: true,
        sizeMultiplier: 1,
      }),
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
    await new BotStateRepository(fixture.db, fixture.clock).set(CONFIG_KEYS.strategies, {
      [candidate.strategy]: false,
    });
    await fixture.testBus.publish(subject(Subjects.configChanged, {}), {
      key: CONFIG_KEYS.strategies,
      changeId: 'switch-off',
    });
    const applied = async () =>
      (
        await fixture.metrics.getSingleMetric('ballast_signals_strategy_switch_loads_total')?.get()
      )?.values.find((v) => v.labels.outcome === 'applied')?.value;
    await waitFor(async () => (await applied()) === 1, 'the switch applied');
    await fixture.publishVectors(vectors.slice(-1));
    const decision = await waitFor(
      () => fixture.decisions.find((d) => d.payload.candidate.id === candidate.id)?.payload,
      'its decision',
    );
    expect(decision).toEqual(switchedOffDecision(candidate));
    expect([decision.approved, decision.rejection?.reason]).toEqual([false, 'strategy_disabled']);
  });
});
