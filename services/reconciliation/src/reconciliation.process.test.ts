import { type Clock, type Envelope, pattern, type ReconStatus, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl, type ServiceProcess, startServiceProcess, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Services as separate processes against the simulator (book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json,
// filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz), real NATS and PostgreSQL.
const API_KEY = 'recon-proc-key';
const SECRET = 'recon-proc-secret';
const clock: Clock = { now: () => Date.now() };
const children: ServiceProcess[] = [];
const statuses: ReconStatus[] = [];

let fixture: VenueFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'recon_proc',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(
    pattern(Subjects.reconStatus),
    (m: Envelope<ReconStatus>) => void statuses.push(m.payload),
    {
      durable: 'test-status',
    },
  );
}, 120_000);

afterAll(async () => {
  for (const child of children) await child.stop(5_000);
  await fixture?.close();
});

async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NATS_URL: await natsUrl(),
    DATABASE_URL: fixture.testDb.url,
    BUS_PREFIX: fixture.prefix,
    LOG_LEVEL: 'info',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: API_KEY,
    EXCHANGE_API_SECRET: SECRET,
    ...extra,
  };
}

async function start(name: string, extra: Record<string, string>): Promise<ServiceProcess> {
  const child = await startServiceProcess(name, await env(extra), { readyTimeoutMs: 180_000 });
  children.push(child);
  return child;
}

const reconEnv = {
  RECON_SYMBOLS: 'BTC-USDT',
  RECON_INTERVAL_MS: '3600000',
  RECON_IN_FLIGHT_GRACE_MS: '0',
  RECON_FILL_WAIT_MS: '2000',
};

/** Asks the running reconciliation service for a run and returns the status it publishes after. */
async function requestRun(): Promise<ReconStatus> {
  const seen = statuses.length;
  await fixture.bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
  return waitFor(() => statuses[seen], 'a status after the requested run', { timeoutMs: 60_000 });
}

describe('reconciliation as a process', { timeout: 600_000 }, () => {
  it('refuses a live start when the key allows withdrawals, and starts with an override', async () => {
    fixture.sim.tamper.setWithdrawals(true);
    await expect(start('reconciliation', { ...reconEnv, RECON_LIVE: 'true' })).rejects.toThrow(
      /allows withdrawals: live trading refuses to start/,
    );
    const overridden = await start('reconciliation', {
      ...reconEnv,
      RECON_LIVE: 'true',
      RECON_WITHDRAWAL_OVERRIDE: 'test account, no funds',
    });
    expect(overridden.logs.some((l) => l.includes('allowed by override: test account, no funds'))).toBe(true);
    expect(await overridden.stop()).toBe(0);
    fixture.sim.tamper.setWithdrawals(false);
  });

  it('after orders is SIGKILLed around a send, the order exists once and its fill counts once', {
    timeout: 180_000,
  }, async () => {
    const recon = await start('reconciliation', reconEnv);
    await waitFor(() => statuses.at(-1)?.status === 'reconciled', 'the first clean run');
    const orders = await start('orders', {
      ORDERS_VENUE_KIND: 'ccxt',
      ORDERS_VENUE: 'binance',
      TICK_MS: '20',
    });
    const ex = binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'crash-1',
      clientOrderId: 'bl-crash-1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.002,
      price: null,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(async () => (await ex.fetchMyTrades('BTC/USDT')).length > 0, 'the order on the venue', {
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    orders.child.kill('SIGKILL');
    // Reconciliation does not write fills: with the orders service down, a fill it finds missing waits
    // in JetStream as a record_fill command and the venue stays unreconciled until it is recorded.
    const after = await requestRun();
    if (after.status !== 'reconciled') expect(after.detail).toContain('fill:');
    await start('orders', { ORDERS_VENUE_KIND: 'ccxt', ORDERS_VENUE: 'binance', TICK_MS: '20' });
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    // Filled from the venue's order on restart; its fill arrives as reconciliation's record_fill. NATS
    // may hand that command to a pull request the killed process left open: it comes back after the
    // consumer's 30 s ack wait.
    await waitFor(
      async () => {
        const recorded = await slices.get('bl-crash-1');
        return recorded?.status === 'filled' && (recorded.fills as unknown[]).length > 0;
      },
      'the order and its fill in our books',
      { timeoutMs: 90_000 },
    );
    const venueTrades = await ex.fetchMyTrades('BTC/USDT');
    const slice = await slices.get('bl-crash-1');
    const fills = (slice?.fills ?? []) as Array<{ tradeId: string; qty: number }>;
    expect(fills.map((f) => f.tradeId).sort()).toEqual(venueTrades.map((t) => String(t.id)).sort());
    expect(Number(fills.reduce((s, f) => s + f.qty, 0).toFixed(8))).toBe(0.002);
    // Exactly one venue order under the client id: nothing was sent twice.
    expect(new Set(venueTrades.map((t) => t.order)).size).toBe(1);
    expect(await requestRun()).toMatchObject({ status: 'reconciled', drifts: 0 });
    expect(recon.logs.some((l) => l.includes('"msg":"first reconciliation"'))).toBe(true);
  });
});
