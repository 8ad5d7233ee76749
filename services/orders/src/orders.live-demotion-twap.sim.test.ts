import { type Clock, type Envelope, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { readinessKeys, type StoredLifecycle } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book: 2.52 BTC
// at the best ask, so a 4 BTC buy slips past the touch and goes as a TWAP of two 2 BTC slices.
const API_KEY = 'live-demotion-key';
const SECRET = 'live-demotion-secret';
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
const events: Array<Envelope<OrderEvent>> = [];
const warnings: string[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_live_demotion',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '600000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m), {
    durable: 'test-live-demotion-events',
  });
});

afterAll(() => fixture?.close());

async function setLifecycle(strategy: string, lifecycle: StoredLifecycle): Promise<void> {
  await new BotStateRepository(fixture.handle.db, clock).set(readinessKeys.lifecycle(strategy), lifecycle);
}

const eventsOf = (intentId: string, status: OrderEvent['status']) =>
  events.filter((e) => e.payload.intentId === intentId && e.payload.status === status).map((e) => e.payload);

/** The strategy made live, and the orders service started gating its TWAP entries (2 slices over 8 s). */
async function startLive(warn: (m: string) => void, error: (m: string, o: object) => void = () => {}) {
  await setLifecycle('trend_pullback', {
    state: 'live',
    reason: 'all_green',
    detail: 'every criterion is green',
    since: clock.now(),
  });
  return startSimOrders(
    fixture,
    { apiKey: API_KEY, secret: SECRET },
    {
      TICK_MS: '50',
      LIVE_STRATEGIES: 'trend_pullback',
      LIVE_STRATEGIES_REFRESH_MS: '100',
      MAX_SLIPPAGE_BPS: '0',
      SLIPPAGE_ACTION: 'twap',
      TWAP_SLICES: '2',
      TWAP_DURATION_MS: '8000',
      TWAP_JITTER: '0',
    },
    {
      info() {},
      warn: (_o: object, m: string) => warn(m),
      error: (o: object, m: string) => error(m, o),
    },
  );
}

describe('a TWAP entry of a live strategy demoted between its slices', () => {
  it('sends no slice after the demotion: the rest of the entry is cancelled strategy_not_live', async () => {
    const stop = await startLive((m) => warnings.push(m), console.error);
    try {
      const buy = approvedBuy('twap-1', 'trend_pullback');
      const decision = buy.approved ? { ...buy, intent: { ...buy.intent, qty: 4 } } : buy;
      await fixture.bus.publish(subject(Subjects.riskDecision, {}), decision);
      await waitFor(() => eventsOf('twap-1', 'filled')[0], 'the first slice filled', { timeoutMs: 30_000 });

      await setLifecycle('trend_pullback', {
        state: 'shadow',
        reason: 'live_drawdown',
        detail: 'live drawdown 16.00% ≥ 15%',
        since: clock.now(),
      });
      const cancelled = await waitFor(
        () => eventsOf('twap-1', 'cancelled')[0],
        'the second slice cancelled',
        {
          timeoutMs: 30_000,
        },
      );
      expect(cancelled).toMatchObject({
        reason: 'strategy_not_live',
        detail: 'trend_pullback is in shadow (live_drawdown: live drawdown 16.00% ≥ 15%)',
        qty: 2,
        filledQty: 0,
      });
      await waitFor(
        () => warnings.includes('entry slices of a strategy no longer live: cancelled unsent'),
        'the cancel logged',
      );
      const trades = await binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET }).fetchMyTrades(
        'BTC/USDT',
      );
      expect(new Set(trades.map((t) => t.order)).size).toBe(1);
      expect(trades.reduce((sum, t) => sum + (t.amount ?? 0), 0)).toBeCloseTo(2, 8);
      expect(eventsOf('twap-1', 'filled')).toHaveLength(1);
    } finally {
      await stop();
    }
  });

  it('holds the rest of the entry while the lifecycles cannot be read, and sends it once they can', async () => {
    const held: string[] = [];
    const stop = await startLive((m) => held.push(m));
    const unread = sql`ALTER TABLE bot_state RENAME TO bot_state_unread`;
    let renamed = false;
    try {
      const buy = approvedBuy('twap-2', 'trend_pullback');
      const decision = buy.approved ? { ...buy, intent: { ...buy.intent, qty: 4 } } : buy;
      await fixture.bus.publish(subject(Subjects.riskDecision, {}), decision);
      await waitFor(() => eventsOf('twap-2', 'filled')[0], 'the first slice filled', { timeoutMs: 30_000 });
      // The lifecycles cannot be read (a database blip): stale after 10 refreshes, before slice 1 is due.
      await unread.execute(fixture.handle.db);
      renamed = true;
      await waitFor(
        () => held.includes('entry slice held') || eventsOf('twap-2', 'cancelled').length > 0,
        'the second slice due while the lifecycles are unread',
        { timeoutMs: 30_000 },
      );
      expect(eventsOf('twap-2', 'cancelled')).toEqual([]);
      await sql`ALTER TABLE bot_state_unread RENAME TO bot_state`.execute(fixture.handle.db);
      renamed = false;
      await waitFor(() => eventsOf('twap-2', 'filled')[1], 'the second slice filled', { timeoutMs: 30_000 });
      expect(eventsOf('twap-2', 'cancelled')).toEqual([]);
    } finally {
      if (renamed) await sql`ALTER TABLE bot_state_unread RENAME TO bot_state`.execute(fixture.handle.db);
      await stop();
    }
  });
});
