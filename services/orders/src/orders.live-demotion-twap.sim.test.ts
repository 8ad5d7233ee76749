import { type Clock, type Envelope, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { readinessKeys, type StoredLifecycle } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
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
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '300000', BTC: '0' } },
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

describe('a TWAP entry of a live strategy demoted between its slices', () => {
  it('sends no slice after the demotion: the rest of the entry is cancelled strategy_not_live', async () => {
    await setLifecycle('trend_pullback', {
      state: 'live',
      reason: 'all_green',
      detail: 'every criterion is green',
      since: clock.now(),
    });
    const stop = await startSimOrders(
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
        warn(_o: object, m: string) {
          warnings.push(m);
        },
        error(o: object, m: string) {
          console.error(m, o);
        },
      },
    );
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
});
