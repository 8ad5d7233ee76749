import { defaultStrategies, SignalEngine, StrategiesConfig, VetoConfig } from '@ballast/core';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { EngineReport } from './engine-report';
import { loggingInto } from './testing/log-lines';
import { recordedBtcVectors } from './testing/recorded-vectors';

it('counts and logs a vector delivered again whose unsettled answer the engine dropped, apart from a plain repeat', async () => {
  const [vector] = recordedBtcVectors().vectors;
  const lines: string[] = [];
  const metrics = new Registry();
  const report = new EngineReport(loggingInto(lines), metrics, 60_000);
  const repeat = { outcome: 'repeat', decided: [], cycles: [], unreadable: [], ageMs: 0 } as const;
  report.vector(vector!, repeat);
  report.vector(vector!, { ...repeat, forgotten: true });
  const counted = await metrics.getSingleMetric('ballast_signals_vectors_total')?.get();
  const byOutcome = Object.fromEntries(counted?.values.map((v) => [v.labels.outcome, v.value]) ?? []);
  expect(byOutcome).toEqual({
    new: 0,
    repeat: 1,
    out_of_order: 0,
    stale: 0,
    unreadable: 0,
    forgotten: 1,
    after_gap: 0,
  });
  const said = lines.map((l) => JSON.parse(l) as { level: number; reason?: string; symbol?: string });
  expect(said.map(({ level, reason, symbol }) => ({ level, reason, symbol }))).toEqual([
    { level: 50, reason: 'forgotten_answer', symbol: vector?.symbol },
  ]);
});

it('counts and warns of a vector the strategies skipped because the bar before it never came', async () => {
  const { vectors } = recordedBtcVectors(260);
  const lines: string[] = [];
  const metrics = new Registry();
  const report = new EngineReport(loggingInto(lines), metrics, 60_000);
  const engine = new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
  });
  // Five vectors missing (features went cold after a hole): the one after them has no previous bar.
  for (const v of [...vectors.slice(0, 40), ...vectors.slice(45, 50)]) report.vector(v, engine.receive(v));
  const counted = await metrics.getSingleMetric('ballast_signals_vectors_total')?.get();
  const byOutcome = Object.fromEntries(counted?.values.map((v) => [v.labels.outcome, v.value]) ?? []);
  expect(byOutcome).toMatchObject({ new: 44, after_gap: 1 });
  const said = lines.map((l) => JSON.parse(l) as { reason?: string; openTime?: number });
  expect(said.filter((l) => l.reason === 'history_gap')).toMatchObject([{ openTime: vectors[45]!.openTime }]);
});
