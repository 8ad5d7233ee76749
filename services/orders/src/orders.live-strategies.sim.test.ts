import { type Clock, type Envelope, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { readinessKeys, type StoredLifecycle } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book.
const API_KEY = 'live-strategies-key';
const SECRET = 'live-strategies-secret';
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
const events: Array<Envelope<OrderEvent>> = [];
const warnings: string[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_live_strategies',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m), {
    durable: 'test-live-strategies-events',
  });
});

afterAll(() => fixture?.close());

/** The lifecycle record as `ballast readiness` writes it. */
async function setLifecycle(strategy: string, lifecycle: StoredLifecycle): Promise<void> {
  await new BotStateRepository(fixture.handle.db, clock).set(readinessKeys.lifecycle(strategy), lifecycle);
}

const decision = (intentId: string, strategy: string) => {
  const d = approvedBuy(intentId);
  return d.approved ? { ...d, intent: { ...d.intent, strategy } } : d;
};

const eventOf = (intentId: string, status: OrderEvent['status']) =>
  events.find((e) => e.payload.intentId === intentId && e.payload.status === status)?.payload;

async function clientIdsOnVenue(): Promise<string[]> {
  const ex = binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });
  const trades = await ex.fetchMyTrades('BTC/USDT');
  const ids: string[] = [];
  for (const id of new Set(trades.map((t) => t.order)))
    ids.push((await ex.fetchOrder(id as string, 'BTC/USDT')).clientOrderId ?? '');
  return ids;
}

describe('orders on a live venue send entries only for strategies live now', () => {
  it('refuses an unlisted strategy, sends a live one, refuses it once demoted or entered through ord.cmd, and still sends exits', async () => {
    await setLifecycle('trend_pullback', {
      state: 'live',
      reason: 'all_green',
      detail: 'every criterion is green',
      since: clock.now(),
    });
    const stop = await startSimOrders(
      fixture,
      { apiKey: API_KEY, secret: SECRET },
      { TICK_MS: '50', LIVE_STRATEGIES: 'trend_pullback', LIVE_STRATEGIES_REFRESH_MS: '100' },
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
      const decisions = subject(Subjects.riskDecision, {});
      await fixture.bus.publish(decisions, decision('mr-1', 'mean_reversion'));
      await waitFor(() => eventOf('mr-1', 'rejected'), 'the mean_reversion entry refused');
      expect(eventOf('mr-1', 'rejected')).toMatchObject({
        reason: 'strategy_not_live',
        detail: 'mean_reversion is not in LIVE_STRATEGIES (trend_pullback)',
        qty: 0.01,
        filledQty: 0,
      });

      await fixture.bus.publish(decisions, decision('tp-1', 'trend_pullback'));
      await waitFor(() => eventOf('tp-1', 'filled'), 'the trend_pullback entry filled');

      await setLifecycle('trend_pullback', {
        state: 'shadow',
        reason: 'live_expectancy',
        detail: 'live expectancy -3.0000 ≤ 0 over 10 trades',
        since: clock.now(),
      });
      await waitFor(
        () => warnings.includes('strategy not live: entries refused'),
        'the orders service to read the demotion',
      );
      await fixture.bus.publish(decisions, decision('tp-2', 'trend_pullback'));
      await waitFor(() => eventOf('tp-2', 'rejected'), 'the demoted entry refused');
      expect(eventOf('tp-2', 'rejected')).toMatchObject({
        reason: 'strategy_not_live',
        detail: 'trend_pullback is in shadow (live_expectancy: live expectancy -3.0000 ≤ 0 over 10 trades)',
      });

      // An entry published straight on ord.cmd (not reduce-only) bypasses risk: refused on a live venue.
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('cmd-entry', 'buy', 0.01));
      await waitFor(() => eventOf('cmd-entry', 'rejected'), 'the ord.cmd entry refused');
      expect(eventOf('cmd-entry', 'rejected')).toMatchObject({
        reason: 'strategy_not_live',
        detail:
          'an ord.cmd submit that is not reduce-only: on a live venue entries go out only as approved risk decisions',
      });

      // Closing the position opened while live is never held back.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('tp-1-exit', 'sell', 0.01, { reduceOnly: true }),
      );
      await waitFor(() => eventOf('tp-1-exit', 'filled'), 'the exit filled');

      const sent = await clientIdsOnVenue();
      expect(sent).toHaveLength(2);
      expect(sent).toContain('bl-tp-1-exit');
      expect(eventOf('mr-1', 'accepted')).toBeUndefined();
      expect(eventOf('tp-2', 'accepted')).toBeUndefined();
      expect(eventOf('cmd-entry', 'accepted')).toBeUndefined();
    } finally {
      await stop();
    }
  });
});
