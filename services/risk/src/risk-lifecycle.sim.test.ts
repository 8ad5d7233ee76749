import { NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type OrderEvent,
  type PositionEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { PaperStart, readinessKeys, StoredLifecycle } from '@ballast/core';
import { BotStateRepository, ConfigChangeRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, natsUrl, type ServiceProcess, startServiceProcess, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';

// Automatic demotion end to end, no `ballast readiness` run: risk (in process) records a live strategy's
// losing closes and demotes it; the orders service (its own process, trading the simulator's account,
// whose book replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json) refuses its next entry.
const clock: Clock = { now: () => Date.now() };
const API_KEY = 'risk-lifecycle-key';
const SECRET = 'risk-lifecycle-secret';
const STRATEGY = 'trend_pullback';
const EXPIRED_AT = Date.UTC(2026, 0, 1);

let fixture: VenueFixture;
let riskBus: NatsBus;
let risk: AsyncDisposable | undefined;
let orders: ServiceProcess | undefined;
const alerts: Alert[] = [];
const orderEvents: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'risk_lifecycle',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-alerts',
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void orderEvents.push(m.payload), {
    durable: 'test-order-events',
  });
  // Live as `ballast readiness` records a promotion.
  await new BotStateRepository(fixture.handle.db, clock).set(readinessKeys.lifecycle(STRATEGY), {
    state: 'live',
    reason: 'all_green',
    detail: 'every criterion is green',
    since: clock.now() - 60_000,
  });
  // Live by an override that expired while risk was down: its start-up review demotes it.
  await new BotStateRepository(fixture.handle.db, clock).set(readinessKeys.lifecycle('overridden'), {
    state: 'live',
    reason: 'override',
    detail: 'live by recorded override; red: sharpe',
    since: clock.now() - 31 * 86_400_000,
    overrideExpiresAt: EXPIRED_AT,
  });
  riskBus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: fixture.prefix,
    source: 'risk',
    clock,
  });
  // Reviewed only after closes here: the interval is far off.
  const config = riskConfigSchema.parse({
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    RISK_EQUITY: '10000',
    RISK_LIFECYCLE_REVIEW_MS: '3600000',
  });
  risk = await startRisk({
    bus: riskBus,
    db: fixture.handle.db,
    clock,
    config,
    log: { info() {}, warn() {} },
  });
  orders = await startServiceProcess('orders', {
    NATS_URL: await natsUrl(),
    DATABASE_URL: fixture.testDb.url,
    BUS_PREFIX: fixture.prefix,
    ORDERS_VENUE_KIND: 'ccxt',
    ORDERS_VENUE: 'binance',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: API_KEY,
    EXCHANGE_API_SECRET: SECRET,
    LIVE_STRATEGIES: STRATEGY,
    LIVE_STRATEGIES_REFRESH_MS: '100',
    TICK_MS: '50',
  });
}, 180_000);

afterAll(async () => {
  await orders?.stop(10_000);
  await risk?.[Symbol.asyncDispose]();
  await riskBus?.drain();
  await fixture?.close();
});

/** A close of the strategy's ETH position losing `loss` (as the orders service reports one). */
const close = (positionId: string, loss: number): PositionEvent => ({
  status: 'closed',
  positionId,
  strategy: STRATEGY,
  exchange: 'binance',
  symbol: 'ETH-USDT',
  side: 'long',
  qty: 0,
  avgEntry: 2000,
  realizedPnl: -loss,
  fees: 0,
  trade: { realizedPnl: -loss, fees: 0 },
  intentId: null,
});

const orderEvent = (intentId: string, status: OrderEvent['status']) =>
  orderEvents.find((e) => e.intentId === intentId && e.status === status);

const lifecycle = async () =>
  (
    await new BotStateRepository(fixture.handle.db, clock).get(
      readinessKeys.lifecycle(STRATEGY),
      StoredLifecycle,
    )
  )?.value;

describe('risk demotes a live strategy whose live results degrade, without the readiness command', () => {
  it('records the demotion, alerts, restarts its paper period, and orders refuses its next entry', async () => {
    const decisions = subject(Subjects.riskDecision, {});
    await fixture.bus.publish(decisions, approvedBuy('live-1', STRATEGY));
    await waitFor(() => orderEvent('live-1', 'filled'), 'the entry of the live strategy filled', {
      timeoutMs: 30_000,
    });

    const positions = subject(Subjects.positionEvent, {});
    // 8% of 10,000: within the 15% live drawdown limit.
    await fixture.bus.publish(positions, close('binance:ETH-USDT:a', 800));
    await waitFor(
      async () =>
        (await fixture.handle.db.selectFrom('closed_trades').select('trade_key').execute()).length === 1,
      'the first loss recorded',
    );
    // The review after it is under way in the background; the next close is judged after it.
    await fixture.bus.publish(positions, close('binance:ETH-USDT:b', 800));
    const demoted = await waitFor(
      async () => ((await lifecycle())?.state === 'shadow' ? lifecycle() : undefined),
      'the strategy demoted',
    );
    const at = demoted?.since ?? 0;
    expect(demoted).toEqual({
      state: 'shadow',
      reason: 'live_drawdown',
      detail: 'live drawdown 16.00% ≥ 15%',
      since: at,
    });
    // A fresh paper period: the gate judges it again only on what it does from now on.
    expect(
      (
        await new BotStateRepository(fixture.handle.db, clock).get(
          readinessKeys.paperStart(STRATEGY),
          PaperStart,
        )
      )?.value,
    ).toEqual({ at });
    const [audit] = await new ConfigChangeRepository(fixture.handle.db).recent(10, STRATEGY);
    expect(audit).toMatchObject({
      kind: 'lifecycle',
      actor: 'risk',
      source: 'risk',
      reason: 'live_drawdown: live drawdown 16.00% ≥ 15%',
      diff: [{ path: 'state', from: 'live', to: 'shadow' }],
      figures: { live: { trades: 2, expectancy: -800, drawdownPct: expect.closeTo(16, 1) } },
    });
    const alert = await waitFor(() => alerts.find((a) => a.labels.strategy === STRATEGY), 'the alert');
    expect(alert).toEqual({
      severity: 'critical',
      kind: 'strategy_demoted',
      message:
        'trend_pullback demoted to shadow: live drawdown 16.00% ≥ 15%; its entries are refused, its positions still close',
      labels: { service: 'risk', strategy: STRATEGY, reason: 'live_drawdown' },
    });

    await waitFor(
      () => orders?.logs.some((l) => l.includes('strategy not live: entries refused')),
      'the orders service to read the demotion',
    );
    await fixture.bus.publish(decisions, approvedBuy('live-2', STRATEGY));
    const refused = await waitFor(() => orderEvent('live-2', 'rejected'), 'the next entry refused', {
      timeoutMs: 30_000,
    });
    expect(refused).toMatchObject({
      reason: 'strategy_not_live',
      detail: 'trend_pullback is in shadow (live_drawdown: live drawdown 16.00% ≥ 15%)',
    });
    expect(orderEvent('live-2', 'filled')).toBeUndefined();
  });

  it('demotes a strategy whose override expired, with no trade to trigger it', async () => {
    const state = new BotStateRepository(fixture.handle.db, clock);
    const demoted = await waitFor(async () => {
      const l = (await state.get(readinessKeys.lifecycle('overridden'), StoredLifecycle))?.value;
      return l?.state === 'shadow' ? l : undefined;
    }, 'the expired override demoted');
    expect(demoted).toMatchObject({
      reason: 'override_expired',
      detail: `the override expired ${new Date(EXPIRED_AT).toISOString()} and the gate is not judged all green since`,
    });
    expect(alerts.find((a) => a.labels.strategy === 'overridden')).toMatchObject({
      kind: 'strategy_demoted',
      labels: { reason: 'override_expired' },
    });
  });
});
