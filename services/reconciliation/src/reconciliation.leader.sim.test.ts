import { NatsBus } from '@ballast/bus';
import { type Clock, type Envelope, pattern, type ReconStatus, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import {
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
  startTcpProxy,
  type TcpProxy,
  waitFor,
} from '@ballast/testkit';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconLockName, startReconciliation } from './service';
import { manualEvery } from './testing/manual-every';
import { simReconConfig, simReconDeps } from './testing/sim-recon';

// One venue (the simulator's Binance account, no trades: every run is clean), one database, one bus
// prefix, and several reconcilers on them: only the one holding the venue's lock reconciles.
const ACCOUNT = { apiKey: 'recon-lead-key', secret: 'recon-lead-secret' };
const RETRY_MS = 1_000;
const INTERVAL_MS = 3_600_000;
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
const statuses: ReconStatus[] = [];
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'recon_leader',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(
    pattern(Subjects.reconStatus),
    (m: Envelope<ReconStatus>) => void statuses.push(m.payload),
    { durable: 'test-status' },
  );
}, 120_000);

afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await fixture?.close();
});

type InProcess = Awaited<ReturnType<typeof startInProcess>>;

/**
 * A reconciler in this process, on its own bus connection, with its own metrics, logs and timers;
 * `lockUrl` replaces the database URL its lock connects to.
 */
async function startInProcess(options: { lockUrl?: string; config?: Record<string, string> } = {}) {
  const bus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: fixture.prefix,
    source: 'reconciliation',
    clock,
  });
  const registry = new Registry();
  const timers = manualEvery();
  const logs: string[] = [];
  const line = (_o: object, m: string) => void logs.push(m);
  const config = simReconConfig(fixture, ACCOUNT, {
    RECON_INTERVAL_MS: String(INTERVAL_MS),
    RECON_LOCK_RETRY_MS: String(RETRY_MS),
    ...options.config,
  });
  const service = await startReconciliation({
    ...simReconDeps(fixture, bus, config),
    ...(options.lockUrl ? { databaseUrl: options.lockUrl } : {}),
    log: { info: line, warn: line, error: line },
    metrics: registry,
    every: timers.every,
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await service[Symbol.asyncDispose]();
      await bus.drain();
    })();
    return stopped;
  };
  stops.push(stop);
  const metric = async (name: string) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  return {
    first: service.first,
    logs,
    timers,
    stop,
    runs: () => metric('ballast_recon_runs_total'),
    leader: () => metric('ballast_recon_leader'),
  };
}

/** Asks for a run and returns the status published after it. */
async function requestRun(): Promise<ReconStatus> {
  const seen = statuses.length;
  await fixture.bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
  return waitFor(() => statuses[seen], 'a status after the requested run', { timeoutMs: 60_000 });
}

/** Ends the server session that holds the venue's lock, as a dropped connection would. */
async function dropLockSession(): Promise<void> {
  const { rows } = await sql<{ ended: boolean }>`
    SELECT pg_terminate_backend(l.pid) AS ended FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
      AND a.application_name = ${reconLockName('binance')}`.execute(fixture.handle.db);
  expect(rows).toEqual([{ ended: true }]);
}

const STANDBY = 'another process reconciles binance: standing by until its reconciliation lock is free';
const TAKEN = 'reconciliation lock taken: reconciling binance';
const LOST = 'reconciliation lock lost: not reconciling binance until it is taken again';

describe('one reconciler per venue', { timeout: 240_000 }, () => {
  let a: InProcess;
  let b: InProcess;

  it('a second reconciler on the database stands by: it runs nothing and publishes no status', async () => {
    a = await startInProcess();
    expect(a.first).toMatchObject({ outcome: 'clean', status: 'reconciled' });
    await waitFor(() => statuses.length === 1, "the first run's status");
    b = await startInProcess();
    expect(b.first).toBeUndefined();
    b.timers.fire(RETRY_MS);
    b.timers.fire(RETRY_MS);
    expect(await requestRun()).toMatchObject({ status: 'reconciled', drifts: 0 });
    expect(await requestRun()).toMatchObject({ status: 'reconciled', drifts: 0 });
    // The run is counted as it ends, after its status is out: waited for, not raced.
    await waitFor(async () => (await a.runs()) === 3, "the holder's third run counted");
    expect(await b.runs()).toBe(0);
    expect([await a.leader(), await b.leader()]).toEqual([1, 0]);
    expect(statuses).toHaveLength(3);
    expect(b.logs.filter((m) => m === STANDBY)).toHaveLength(1);
    expect(a.logs).not.toContain(STANDBY);
  });

  it('when the holder stops, the standby takes the lock at its next try and reconciles', async () => {
    await a.stop();
    const seen = statuses.length;
    b.timers.fire(RETRY_MS);
    await waitFor(async () => (await b.leader()) === 1, 'the standby reconciling');
    expect(b.logs).toContain(TAKEN);
    expect(await b.runs()).toBe(1);
    await waitFor(() => statuses.length > seen, "the new reconciler's first status");
    expect(statuses.at(-1)).toMatchObject({ status: 'reconciled', drifts: 0 });
    expect(await requestRun()).toMatchObject({ status: 'reconciled' });
    await waitFor(async () => (await b.runs()) === 2, "the new holder's second run counted");
  });

  it('a reconciler whose lock connection drops stops reconciling until it holds the lock again', async () => {
    await dropLockSession();
    await waitFor(async () => (await b.leader()) === 0, 'the loss noticed');
    expect(b.logs).toContain(LOST);
    const c = await startInProcess();
    expect(c.first).toMatchObject({ outcome: 'clean', status: 'reconciled' });
    b.timers.fire(INTERVAL_MS);
    b.timers.fire(RETRY_MS);
    expect(await requestRun()).toMatchObject({ status: 'reconciled' });
    expect([await b.runs(), await c.runs()]).toEqual([2, 2]);
    expect(await b.leader()).toBe(0);
    await c.stop();
    b.timers.fire(RETRY_MS);
    await waitFor(async () => (await b.leader()) === 1, 'the lock taken again');
    expect(await b.runs()).toBe(3);
    await b.stop();
  });

  describe('a reconciler whose lock session goes half-open (no close ever reaches it)', () => {
    let proxy: TcpProxy;
    let holder: InProcess;
    let taker: InProcess;

    // The holder's lock goes through a proxy that then forwards nothing, and its server session ends
    // (as a NAT losing the flow, a failover or the server's keepalive would end it): the lock is free,
    // another reconciler takes it, and nothing tells the holder, whose pooled connections still work.
    async function halfOpenTakeover(): Promise<void> {
      const target = new URL(fixture.testDb.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      holder = await startInProcess({
        lockUrl: proxy.via(fixture.testDb.url),
        config: { RECON_LOCK_TIMEOUT_MS: '300' },
      });
      expect(holder.first).toMatchObject({ outcome: 'clean', status: 'reconciled' });
      proxy.blackhole();
      await dropLockSession();
      taker = await startInProcess();
      expect(taker.first).toMatchObject({ outcome: 'clean', status: 'reconciled' });
      expect(await holder.leader()).toBe(1);
    }

    afterEach(async () => {
      await taker?.stop();
      await holder?.stop();
      await proxy?.close();
    });

    it('finds the lock lost at its next check and stops reconciling', async () => {
      await halfOpenTakeover();
      holder.timers.fire(RETRY_MS);
      await waitFor(async () => (await holder.leader()) === 0, 'the half-open lock found lost');
      expect(holder.logs).toContain(LOST);
      holder.timers.fire(INTERVAL_MS);
      expect(await requestRun()).toMatchObject({ status: 'reconciled' });
      expect([await holder.runs(), await taker.runs()]).toEqual([1, 2]);
    });

    it('leaves a request it receives after losing the lock for the next holder, which runs for it', async () => {
      const target = new URL(fixture.testDb.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      holder = await startInProcess({
        lockUrl: proxy.via(fixture.testDb.url),
        config: { RECON_LOCK_TIMEOUT_MS: '300' },
      });
      proxy.blackhole();
      await dropLockSession();
      await fixture.bus.publish(subject(Subjects.reconRequest, {}), {
        venue: 'binance',
        requestedBy: 'test',
      });
      await waitFor(async () => (await holder.leader()) === 0, 'the request finding the lock lost');
      expect(await holder.runs()).toBe(1);
      // Acknowledged by the process that could not run for it, the request was gone: the next holder
      // ran at its takeover only, and the stop or order that asked waited for the interval.
      taker = await startInProcess();
      await waitFor(async () => (await taker.runs()) === 2, "the request answered by the lock's new holder");
    });

    it('starts no run before its session answers that it holds the lock', async () => {
      await halfOpenTakeover();
      holder.timers.fire(INTERVAL_MS);
      await waitFor(async () => (await holder.leader()) === 0, 'the half-open lock found lost');
      expect(holder.logs).toContain(LOST);
      expect(await holder.runs()).toBe(1);
    });
  });
});

describe('one reconciliation process per venue', { timeout: 600_000 }, () => {
  const env = async (): Promise<Record<string, string>> => ({
    NATS_URL: await natsUrl(),
    DATABASE_URL: fixture.testDb.url,
    BUS_PREFIX: fixture.prefix,
    LOG_LEVEL: 'info',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: ACCOUNT.apiKey,
    EXCHANGE_API_SECRET: ACCOUNT.secret,
    RECON_SYMBOLS: 'BTC-USDT',
    RECON_INTERVAL_MS: String(INTERVAL_MS),
    RECON_LOCK_RETRY_MS: '200',
  });
  const start = async (): Promise<ServiceProcess> => {
    const child = await startServiceProcess('reconciliation', await env(), { readyTimeoutMs: 180_000 });
    stops.push(() => child.stop(5_000));
    return child;
  };
  const metrics = async (p: ServiceProcess) => (await fetch(`${p.httpUrl}/metrics`)).text();

  it('a second process stands by; when the first is killed, it takes over', async () => {
    const first = await start();
    const second = await start();
    expect(await metrics(first)).toContain('ballast_recon_leader{venue="binance"} 1');
    expect(await metrics(second)).toContain('ballast_recon_leader{venue="binance"} 0');
    expect(await metrics(second)).not.toContain('ballast_recon_runs_total{');
    expect(second.logs.filter((l) => l.includes(STANDBY))).toHaveLength(1);
    const seen = statuses.length;
    first.child.kill('SIGKILL');
    await waitFor(
      async () => (await metrics(second)).includes('ballast_recon_leader{venue="binance"} 1'),
      'the takeover',
      {
        timeoutMs: 60_000,
      },
    );
    expect(await metrics(second)).toContain('ballast_recon_runs_total{venue="binance",outcome="clean"} 1');
    await waitFor(() => statuses.length > seen, "the new reconciler's first status");
    expect(await requestRun()).toMatchObject({ status: 'reconciled', drifts: 0 });
    expect(second.logs.some((l) => l.includes(TAKEN))).toBe(true);
  });
});
