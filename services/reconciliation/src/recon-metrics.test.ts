import { DRIFT_KINDS } from '@ballast/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ReconMetrics } from './recon-metrics';

describe('ReconMetrics', () => {
  it('exports every drift kind found and superseded at 0 once a process leads a venue', async () => {
    const registry = new Registry();
    const metrics = new ReconMetrics(registry);
    metrics.leading('binance', 0);
    const zeros = DRIFT_KINDS.map((kind) => ({ labels: { venue: 'binance', kind }, value: 0 }));
    expect(DRIFT_KINDS.length).toBeGreaterThan(0);
    expect((await metrics.drifts.get()).values).toEqual(zeros);
    expect((await metrics.superseded.get()).values).toEqual(zeros);
  });
});
