import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerReadinessGauge, type StrategyReadiness } from './readiness-metrics';

describe('readiness gauge', () => {
  it('exports each strategy’s criteria as 1 (met) or 0, as read at scrape time', async () => {
    const registry = new Registry();
    let reports: StrategyReadiness[] = [
      {
        strategy: 'trend_pullback',
        criteria: [
          { criterion: 'paper_days', ok: false },
          { criterion: 'stop_coverage', ok: true },
        ],
      },
    ];
    registerReadinessGauge(registry, async () => reports, { warn: () => undefined });
    const text = await registry.metrics();
    expect(text).toContain(
      'ballast_readiness_criterion_ok{strategy="trend_pullback",criterion="paper_days"} 0',
    );
    expect(text).toContain(
      'ballast_readiness_criterion_ok{strategy="trend_pullback",criterion="stop_coverage"} 1',
    );
    reports = [{ strategy: 'mean_reversion', criteria: [{ criterion: 'uptime', ok: true }] }];
    const next = await registry.metrics();
    expect(next).toContain('ballast_readiness_criterion_ok{strategy="mean_reversion",criterion="uptime"} 1');
    expect(next).not.toContain('trend_pullback');
  });

  it('is empty and logs when readiness cannot be read', async () => {
    const registry = new Registry();
    const warnings: string[] = [];
    registerReadinessGauge(
      registry,
      async () => {
        throw new Error('database unreachable');
      },
      { warn: (_o: object, msg: string) => void warnings.push(msg) },
    );
    const text = await registry.metrics();
    expect(text).not.toMatch(/^ballast_readiness_criterion_ok\{/m);
    expect(warnings).toEqual(['readiness gauge: could not read readiness']);
  });
});
