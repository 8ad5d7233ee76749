import { CONFIG_KEYS, type SignalCandidate, Subjects, subject } from '@ballast/contracts';
import {
  defaultStrategies,
  HourExpectancyTable,
  SignalEngine,
  StrategiesConfig,
  type Strategy,
  VetoConfig,
} from '@ballast/core';
import { BotStateRepository, ConfigChangeRepository, diffConfig } from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggingInto } from './testing/log-lines';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

const SWITCHED = 'trend_pullback';
// Phases over these vectors: on, off, on. Each of the first two ends on a vector that yields a candidate of
// another strategy (mean_reversion at 186 and 254), so seeing every expected candidate means the service
// read the whole phase before the switch is flipped.
const PHASES = [
  { from: 0, to: 187, on: true },
  { from: 187, to: 255, on: false },
  { from: 255, to: vectors.length, on: true },
] as const;

/** What the service should publish: the same engine, the strategy switched at the same vectors. */
function expectedPhases(): SignalCandidate[][] {
  let on = true;
  const strategies: Strategy[] = defaultStrategies(StrategiesConfig.parse({})).map((s) => ({
    name: s.name,
    regimes: s.regimes,
    evaluate: (input) => (s.name !== SWITCHED || on ? s.evaluate(input) : []),
  }));
  const engine = new SignalEngine({
    strategies,
    vetoes: VetoConfig.parse({}),
    hours: new HourExpectancyTable([]),
  });
  return PHASES.map((phase) => {
    on = phase.on;
    return vectors.slice(phase.from, phase.to).flatMap((v) => engine.onFeatures(v));
  });
}

describe(`strategy switches in the signals service (feature vectors of ${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;
  /** Publishes as the gateway would. */
  let testBus: SignalsFixture['testBus'];
  let metrics: SignalsFixture['metrics'];
  const clock = new SystemClock();
  const candidates = () => fixture.candidates.map((m) => m.payload);
  const lines: string[] = [];
  let changes = 0;

  const value = async (name: string, labels: Record<string, string>) =>
    (await metrics.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value;

  /** What the gateway does for an operator's switch: the trail, the value, then config.changed. */
  async function operatorStores(switches: unknown, before: unknown): Promise<void> {
    const id = `switch-${++changes}`;
    await new ConfigChangeRepository(fixture.db).record({
      id,
      kind: 'strategy_enabled',
      subject: SWITCHED,
      actor: 'olivia',
      source: 'gateway',
      reason: 'test',
      diff: diffConfig(before, switches),
      figures: null,
      createdAt: clock.now(),
    });
    await new BotStateRepository(fixture.db, clock).set(CONFIG_KEYS.strategies, switches);
    await testBus.publish(subject(Subjects.configChanged, {}), { key: CONFIG_KEYS.strategies, changeId: id });
  }

  const loads = (outcome: 'applied' | 'invalid', n: number) =>
    waitFor(
      async () => (await value('ballast_signals_strategy_switch_loads_total', { outcome })) === n,
      `${n} ${outcome} switch loads`,
      { timeoutMs: 30_000 },
    );

  const publishPhase = async (index: number) => {
    const phase = PHASES[index] as (typeof PHASES)[number];
    await fixture.publishVectors(vectors.slice(phase.from, phase.to));
  };

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_switches',
      testSource: 'gateway',
      log: loggingInto(lines),
      // Decisions are not what this test is about: no agents, no reflection.
      decide: (candidate) => ({
        candidate,
        analyst: null,
        reviewer: null,
        approved: false,
        sizeMultiplier: 0,
      }),
    });
    ({ testBus, metrics } = fixture);
  }, 120_000);

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  }, 120_000);

  it('a strategy switched off proposes nothing from the next bar on, and again once switched back on; no restart', {
    timeout: 180_000,
  }, async () => {
    const [on, off, back] = expectedPhases() as [SignalCandidate[], SignalCandidate[], SignalCandidate[]];
    // The data makes the point: the switched strategy proposes in the phases it is on, the others throughout.
    const of = (cs: SignalCandidate[], name: string) => cs.filter((c) => c.strategy === name);
    expect(of(on, SWITCHED).length).toBeGreaterThan(0);
    expect(of(back, SWITCHED).length).toBeGreaterThan(0);
    expect(of(off, SWITCHED)).toEqual([]);
    expect(off.length).toBeGreaterThan(0);
    expect(await value('ballast_signals_strategy_enabled', { strategy: SWITCHED })).toBe(1);

    await publishPhase(0);
    await waitFor(() => candidates().length >= on.length, 'the first phase’s candidates', {
      timeoutMs: 60_000,
    });
    expect(candidates()).toEqual(on);

    await operatorStores({ [SWITCHED]: false }, {});
    await loads('applied', 1);
    expect(await value('ballast_signals_strategy_enabled', { strategy: SWITCHED })).toBe(0);
    await publishPhase(1);
    await waitFor(() => candidates().length >= on.length + off.length, 'the second phase’s candidates', {
      timeoutMs: 60_000,
    });
    expect(candidates().slice(on.length)).toEqual(off);

    await operatorStores({ [SWITCHED]: true }, { [SWITCHED]: false });
    await loads('applied', 2);
    await publishPhase(2);
    const all = on.length + off.length + back.length;
    await waitFor(() => candidates().length >= all, 'the third phase’s candidates', { timeoutMs: 60_000 });
    expect(candidates().slice(on.length + off.length)).toEqual(back);
    expect(candidates()).toHaveLength(all);
  });

  it('refuses stored switches that are not booleans by strategy name, counted and logged; the previous ones stay', async () => {
    await operatorStores({ [SWITCHED]: 'off' }, { [SWITCHED]: true });
    await loads('invalid', 1);
    expect(await value('ballast_signals_strategy_enabled', { strategy: SWITCHED })).toBe(1);
    const refused = lines
      .map((l) => JSON.parse(l) as { msg: string; reason?: string; error?: string; changeId?: string })
      .find((l) => l.msg === 'stored strategy switches refused; the previous switches stay in force');
    expect(refused).toMatchObject({ reason: 'invalid_switches', changeId: `switch-${changes}` });
    expect(refused?.error).toMatch(new RegExp(SWITCHED));
  });
});
