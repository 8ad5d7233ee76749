import { type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { readinessKeys } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import {
  approvedBuy,
  freePort,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Two processes of a trading service for one venue account, as `docker compose up --scale orders=2` or a
// copy started by hand beside the stack would run them (ADR 24). Each is the service's own main.ts, on
// the simulator's account (book: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json).
const clock: Clock = { now: () => Date.now() };
const API_KEY = 'orders-sole-key';
const SECRET = 'orders-sole-secret';
const STRATEGY = 'trend_pullback';

let fixture: VenueFixture;
const started: ServiceProcess[] = [];
const orderEvents: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_sole',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void orderEvents.push(m.payload), {
    durable: 'test-order-events',
  });
  await new BotStateRepository(fixture.handle.db, clock).set(readinessKeys.lifecycle(STRATEGY), {
    state: 'live',
    reason: 'all_green',
    detail: 'every criterion is green',
    since: clock.now() - 60_000,
  });
}, 180_000);

afterAll(async () => {
  for (const child of started.reverse()) await child.stop(10_000);
  await fixture?.close();
});

/** Each service's own variables for the simulator's account. */
const own: Record<'orders' | 'risk' | 'stops', Record<string, string>> = {
  orders: { ORDERS_VENUE_KIND: 'ccxt', ORDERS_VENUE: 'binance', LIVE_STRATEGIES: STRATEGY, TICK_MS: '50' },
  risk: { RISK_VENUE: 'binance', RISK_EQUITY: '10000' },
  stops: { STOPS_VENUE_KIND: 'ccxt', STOPS_VENUE: 'binance', COVERAGE_SAMPLE_MS: '0' },
};

const env = async (service: keyof typeof own, port?: number): Promise<Record<string, string>> => ({
  NATS_URL: await natsUrl(),
  DATABASE_URL: fixture.testDb.url,
  BUS_PREFIX: fixture.prefix,
  EXCHANGE_BASE_URL: fixture.sim.restUrl,
  EXCHANGE_API_KEY: API_KEY,
  EXCHANGE_API_SECRET: SECRET,
  SOLE_PROCESS_RETRY_MS: '250',
  ...own[service],
  ...(port === undefined ? {} : { HTTP_PORT: String(port) }),
});

const STANDING_BY = (service: string) =>
  `another process holds ballast-${service}:binance: standing by until it is free`;
const TAKEN = (service: string) => `ballast-${service}:binance taken: this process runs it`;
const logged = (child: ServiceProcess, line: string) => child.logs.some((l) => l.includes(line));

/** Starts a second process of `service` beside the first and waits until it stands by for the lock. */
async function standby(service: keyof typeof own): Promise<{ port: number; ready: Promise<ServiceProcess> }> {
  const port = await freePort();
  const ready = startServiceProcess(service, await env(service, port), { readyTimeoutMs: 180_000 });
  ready.then((child) => void started.push(child)).catch(() => undefined);
  // It answers health checks, not ready for want of the lock: it neither subscribes nor resumes anything.
  await waitFor(
    async () => (await standingBy(port)) === true,
    `a second ${service} to stand by for the lock`,
    {
      timeoutMs: 120_000,
    },
  );
  return { port, ready };
}

/** Whether the process on `port` reads not ready for want of its sole lock (and nothing else). */
async function standingBy(port: number): Promise<boolean | undefined> {
  const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  if (!answer) return undefined;
  const body = (await answer.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
  return answer.status === 503 && (body.checks['sole lock']?.error ?? '').includes('another process holds');
}

const filled = (intentId: string) =>
  orderEvents.find((e) => e.intentId === intentId && e.status === 'filled');

describe('one process per venue account for each service that trades', () => {
  it('orders: a second process stands by without consuming; it takes over, and trades, once the first dies', async () => {
    const first = await startServiceProcess('orders', await env('orders'), { readyTimeoutMs: 180_000 });
    started.push(first);
    const second = await standby('orders');
    const decisions = subject(Subjects.riskDecision, {});
    await fixture.bus.publish(decisions, approvedBuy('sole-1', STRATEGY));
    await waitFor(() => filled('sole-1'), 'the entry filled by the first process', { timeoutMs: 30_000 });
    expect(logged(first, TAKEN('orders'))).toBe(true);

    first.child.kill('SIGKILL');
    const took = await second.ready;
    expect(logged(took, STANDING_BY('orders'))).toBe(true);
    expect(logged(took, TAKEN('orders'))).toBe(true);
    await fixture.bus.publish(decisions, approvedBuy('sole-2', STRATEGY));
    await waitFor(() => filled('sole-2'), 'the entry filled by the process that took over', {
      timeoutMs: 30_000,
    });
    expect(await standingBy(second.port)).toBe(false);
    // One order each at the venue: nothing sent twice by the two processes.
    expect(orderEvents.filter((e) => e.status === 'filled').map((e) => e.intentId)).toEqual([
      'sole-1',
      'sole-2',
    ]);
  }, 400_000);

  it.each(['risk', 'stops'] as const)(
    '%s: a second process stands by until the first stops, then runs',
    async (service) => {
      const first = await startServiceProcess(service, await env(service), { readyTimeoutMs: 180_000 });
      started.push(first);
      expect(logged(first, TAKEN(service))).toBe(true);
      const second = await standby(service);
      expect(await first.stop(10_000)).toBe(0);
      const took = await second.ready;
      expect(logged(took, STANDING_BY(service))).toBe(true);
      expect(logged(took, TAKEN(service))).toBe(true);
    },
    400_000,
  );
});
