import type { Clock } from '@ballast/contracts';
import { readinessKeys } from '@ballast/core';
import { BotStateRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { StartRefusedError } from '@ballast/service-kit';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersConfigSchema } from './config';
import { assertLiveStart, isLoopback, LiveStartRefusedError, LiveStrategies } from './live-gate';
import { startOrders } from './service';

const clock: Clock = { now: () => 1_700_000_000_000 };
const silent = { info() {}, warn() {}, error() {} };
let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('orders_live_gate');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

/** Records a strategy's lifecycle as the readiness gate would. */
async function lifecycle(strategy: string, state: 'live' | 'shadow', reason: string, detail = '') {
  await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle(strategy), {
    state,
    reason,
    detail,
    since: 1,
  });
}

async function refusal(strategies: string[]): Promise<LiveStartRefusedError> {
  const error = await assertLiveStart(handle.db, clock, strategies).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LiveStartRefusedError);
  return error as LiveStartRefusedError;
}

describe('live start behind the readiness gate', () => {
  it('refuses when no strategy is configured to trade live', async () => {
    expect((await refusal([])).refusals.map((r) => r.reason)).toEqual(['no_live_strategies']);
  });

  it('refuses a strategy the gate never judged, and one it keeps in shadow, naming both', async () => {
    await lifecycle('breakout', 'shadow', 'readiness_red', 'closed_trades 12 (needs >= 30)');
    const error = await refusal(['trend_pullback', 'breakout']);
    expect(error.refusals.map((r) => [r.strategy, r.reason])).toEqual([
      ['trend_pullback', 'never_judged'],
      ['breakout', 'in_shadow'],
    ]);
    expect(error.message).toContain('closed_trades 12 (needs >= 30)');
  });

  it('allows start once every configured strategy is live', async () => {
    for (const s of ['mean_revert', 'momentum']) await lifecycle(s, 'live', 'all_green');
    await expect(assertLiveStart(handle.db, clock, ['mean_revert', 'momentum'])).resolves.toBeUndefined();
  });

  it('the orders service refuses a live ccxt venue before connecting to it', async () => {
    const config = ordersConfigSchema.parse({
      ORDERS_VENUE_KIND: 'ccxt',
      EXCHANGE_BASE_URL: 'https://api.binance.com',
      LIVE_STRATEGIES: 'breakout',
    });
    const bus = new Proxy({}, { get: () => () => Promise.reject(new Error('the bus must not be used')) });
    await expect(
      startOrders({ bus: bus as never, db: handle.db, clock, ids: () => 'x', config, log: silent }),
    ).rejects.toSatisfy(
      (err) =>
        err instanceof LiveStartRefusedError &&
        err instanceof StartRefusedError &&
        err.reason === 'readiness_gate',
    );
  });

  it('refuses every entry once the lifecycles have gone unread for ten refresh periods', async () => {
    await lifecycle('scalper', 'live', 'all_green');
    let now = 1_700_000_000_000;
    const gate = new LiveStrategies({
      db: handle.db,
      clock: { now: () => now },
      strategies: ['scalper'],
      refreshMs: 60_000,
      log: silent,
    });
    await gate.start();
    gate.stop();
    expect(gate.refusal('scalper')).toBeNull();
    now += 600_000;
    expect(gate.refusal('scalper')).toBeNull();
    now += 1;
    expect(gate.refusal('scalper')).toBe('strategy lifecycles unread for 600s; no entry goes live unchecked');
    await gate.refresh();
    expect(gate.refusal('scalper')).toBeNull();
  });

  it('refuses a strategy live by an override past its expiry, at start and per entry, before risk demotes it', async () => {
    const expiresAt = 1_700_000_000_000;
    await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle('overridden'), {
      state: 'live',
      reason: 'override',
      detail: 'live by recorded override',
      since: 1,
      overrideExpiresAt: expiresAt,
    });
    const detail = `overridden is live by an override that expired ${new Date(expiresAt).toISOString()}; only \`pnpm ballast readiness\` finding it all green keeps it live`;
    const error = await refusal(['overridden']);
    expect(error.refusals).toEqual([{ strategy: 'overridden', reason: 'override_expired', detail }]);
    let now = expiresAt - 1;
    await expect(assertLiveStart(handle.db, { now: () => now }, ['overridden'])).resolves.toBeUndefined();
    const gate = new LiveStrategies({
      db: handle.db,
      clock: { now: () => now },
      strategies: ['overridden'],
      refreshMs: 60_000,
      log: silent,
    });
    await gate.start();
    gate.stop();
    expect(gate.refusal('overridden')).toBeNull();
    now = expiresAt;
    expect(gate.refusal('overridden')).toBe(detail);
  });

  it('treats only loopback base URLs as the simulator', () => {
    expect(isLoopback('http://127.0.0.1:9000')).toBe(true);
    expect(isLoopback('http://localhost:9000')).toBe(true);
    expect(isLoopback('https://api.binance.com')).toBe(false);
    expect(isLoopback('http://127.0.0.1.nip.example:9000')).toBe(false);
    expect(isLoopback('https://127.binance-proxy.example')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});
