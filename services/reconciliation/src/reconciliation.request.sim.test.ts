import type { Bus } from '@ballast/bus';
import { type ReconEvent, type ReconStatus, Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciliation } from './service';
import { manualEvery } from './testing/manual-every';
import { simReconConfig, simReconDeps, startSimVenue, venueWith } from './testing/sim-recon';

// The simulator's Binance account with no trades (every run is clean) and a reconciler whose venue
// reads can be held mid-run, so a request can arrive while a run is under way.
const ACCOUNT = { apiKey: 'recon-request-key', secret: 'recon-request-secret' };
const INTERVAL_MS = 3_600_000;

let sim: Awaited<ReturnType<typeof startSimVenue>>;

beforeAll(async () => {
  sim = await startSimVenue('recon_request', ACCOUNT);
}, 120_000);

afterAll(async () => {
  await sim?.[Symbol.asyncDispose]();
});

describe('a recon.request during a run', { timeout: 120_000 }, () => {
  it('is answered by a run that reads the venue after it, not by the run already under way', async () => {
    const { fixture, bus } = sim;
    let reads = 0;
    let held: Promise<void> | undefined;
    let release = () => {};
    const config = simReconConfig(fixture, ACCOUNT, { RECON_INTERVAL_MS: String(INTERVAL_MS) });
    const venue = venueWith(config, (base) => ({
      async tradesSince(symbol, cursor) {
        reads++;
        if (held) await held;
        return base.tradesSince(symbol, cursor);
      },
    }));
    const logs: string[] = [];
    const line = (_o: object, m: string) => void logs.push(m);
    const registry = new Registry();
    const timers = manualEvery();
    const service = await startReconciliation({
      ...simReconDeps(fixture, bus, config),
      venue,
      log: { info: line, warn: line, error: line },
      metrics: registry,
      every: timers.every,
    });
    const runs = async () =>
      ((await registry.getSingleMetric('ballast_recon_runs_total')?.get())?.values ?? []).reduce(
        (sum, v) => sum + v.value,
        0,
      );
    try {
      expect(service.first).toMatchObject({ outcome: 'clean' });
      const readsBefore = reads;
      held = new Promise((resolve) => {
        release = resolve;
      });
      timers.fire(INTERVAL_MS);
      await waitFor(() => reads > readsBefore, 'the interval run reading the venue (held)');
      await bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
      await waitFor(() => logs.includes('reconciliation requested'), 'the request received mid-run');
      held = undefined;
      release();
      // The held run, then one more that reads the venue again for the request.
      await waitFor(async () => (await runs()) === 3, 'the follow-up run for the request');
      expect(logs.filter((m) => m === 'reconciled')).toHaveLength(2);
    } finally {
      release();
      await service[Symbol.asyncDispose]();
    }
  });
});

describe('a recon.request whose run fails', { timeout: 120_000 }, () => {
  it('is not acknowledged: delivered again, it gets a run that completes and publishes its status', async () => {
    const { fixture, bus } = sim;
    const config = simReconConfig(fixture, ACCOUNT, { RECON_INTERVAL_MS: String(INTERVAL_MS) });
    // The first run after the request can publish no status, its failure's neither (NATS refusing
    // them a moment): the run throws.
    let refuse = 0;
    let refused = 0;
    const statuses: ReconStatus[] = [];
    const unknowns: string[] = [];
    const flaky: Bus = {
      source: bus.source,
      publish: async (s, payload, options) => {
        const event = payload as ReconEvent;
        if (s.family.name === Subjects.reconEvent.name && event.kind === 'unknown')
          unknowns.push(event.evidence);
        if (s.family.name === Subjects.reconStatus.name) {
          if (refuse > 0) {
            refuse--;
            refused++;
            throw new Error('publish refused: nats unreachable');
          }
          statuses.push(payload as ReconStatus);
        }
        return bus.publish(s, payload, options);
      },
      publishEnvelope: (s, e) => bus.publishEnvelope(s, e),
      subscribe: bus.subscribe.bind(bus),
      request: bus.request.bind(bus),
      serve: bus.serve.bind(bus),
      isHealthy: () => bus.isHealthy(),
      drain: () => bus.drain(),
    };
    const timers = manualEvery();
    const service = await startReconciliation({
      ...simReconDeps(fixture, flaky, config),
      every: timers.every,
    });
    try {
      expect(service.first).toMatchObject({ outcome: 'clean' });
      const before = statuses.length;
      refuse = 2;
      await bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
      await waitFor(() => refused === 2, 'the requested run failing to publish its status');
      await waitFor(() => statuses.length > before, 'a run for the request delivered again');
      expect(statuses.at(-1)).toMatchObject({ venue: 'binance', status: 'reconciled' });
      // The venue was read: what failed was the status publish, and the run says so.
      expect(unknowns).toEqual(['run failed (not the venue): publish refused: nats unreachable']);
    } finally {
      await service[Symbol.asyncDispose]();
    }
  });
});
