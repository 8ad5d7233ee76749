import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { StopMetrics } from './stop-metrics';

/** The `name{labels} value` lines of one metric in the exposition text. */
async function lines(registry: Registry, name: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`));
}

describe('StopMetrics', () => {
  it('exports every outcome of its counters at 0 before the first, so panels and rates over them exist', async () => {
    const registry = new Registry();
    new StopMetrics(registry);
    expect(await lines(registry, 'ballast_stops_placements_total')).toEqual([
      'ballast_stops_placements_total{outcome="verified"} 0',
      'ballast_stops_placements_total{outcome="retried"} 0',
      'ballast_stops_placements_total{outcome="failed"} 0',
      'ballast_stops_placements_total{outcome="verify_failed"} 0',
    ]);
    expect(await lines(registry, 'ballast_stops_verifications_total')).toEqual([
      'ballast_stops_verifications_total{outcome="ok"} 0',
      'ballast_stops_verifications_total{outcome="lost"} 0',
      'ballast_stops_verifications_total{outcome="executed"} 0',
      'ballast_stops_verifications_total{outcome="error"} 0',
    ]);
    expect(await lines(registry, 'ballast_stops_atr_warmups_total')).toEqual([
      'ballast_stops_atr_warmups_total{outcome="warmed"} 0',
      'ballast_stops_atr_warmups_total{outcome="too_few_bars"} 0',
      'ballast_stops_atr_warmups_total{outcome="failed"} 0',
    ]);
    expect(await lines(registry, 'ballast_stops_invalid_messages_total')).toEqual([
      'ballast_stops_invalid_messages_total{subject="recon.event"} 0',
    ]);
  });
});
