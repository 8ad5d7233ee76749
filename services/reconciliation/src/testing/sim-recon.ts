import type { Bus } from '@ballast/bus';
import { NatsBus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import { OrderSliceRepository, ReconRepository } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import {
  binanceClient,
  startVenueFixture,
  type SimAccount as VenueAccount,
  type VenueFixture,
} from '@ballast/exchange-sim/testing';
import { natsUrl, type ServiceProcess, startServiceProcess } from '@ballast/testkit';
import { type ReconConfig, reconConfigSchema } from '../config';
import type { Reconciler, RunReport } from '../reconciler';
import { buildVenue, type ReconDeps, startReconciliation } from '../service';

export type SimAccount = { apiKey: string; secret: string };

const clock: Clock = { now: () => Date.now() };
const quiet = { info() {}, warn() {}, error() {} };

/**
 * Reconciliation on the fixture's database (its venue lock there too) and `bus`: the system clock,
 * random ids, no logs.
 */
export function simReconDeps(fixture: VenueFixture, bus: Bus, config: ReconConfig): ReconDeps {
  return {
    bus,
    db: fixture.handle.db,
    clock,
    ids: () => crypto.randomUUID(),
    config,
    log: quiet,
    databaseUrl: fixture.testDb.url,
  };
}

/** Reconciliation of the simulator's BTC-USDT account, runs on demand only, `overrides` on top. */
export function simReconConfig(
  fixture: VenueFixture,
  account: SimAccount,
  overrides: Record<string, string> = {},
): ReconConfig {
  return reconConfigSchema.parse({
    RECON_VENUE: 'binance',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: account.apiKey,
    EXCHANGE_API_SECRET: account.secret,
    RECON_SYMBOLS: 'BTC-USDT',
    RECON_INTERVAL_MS: '3600000',
    RECON_IN_FLIGHT_GRACE_MS: '0',
    ...overrides,
  });
}

export type SimRecon = AsyncDisposable & { fixture: VenueFixture; reconciler: Reconciler; first: RunReport };

/**
 * An account of its own on the simulator (`account`, with its markets and fee asset), the orders
 * service beside reconciliation, and reconciliation started (its first run done) with `config` on top.
 * `beforeStart` acts on the account before either service starts (its past, for example).
 */
export async function startSimRecon(
  label: string,
  account: VenueAccount,
  options: {
    config?: Record<string, string>;
    beforeStart?: (fixture: VenueFixture) => Promise<void>;
    /** Reconciliation's own clock (the host's, off from the venue's); the venue's requests stay on the system's. */
    clock?: Clock;
  } = {},
): Promise<SimRecon> {
  const fixture = await startVenueFixture({ label, account });
  const closers: Array<() => PromiseLike<unknown>> = [() => fixture.close()];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    await options.beforeStart?.(fixture);
    const orders = await startSimOrdersProcess(fixture, account);
    closers.push(() => orders.stop(5_000));
    const servers = await natsUrl();
    const bus = await NatsBus.connect({ servers, prefix: fixture.prefix, source: 'reconciliation', clock });
    closers.push(() => bus.drain());
    const config = simReconConfig(fixture, account, options.config);
    const deps = simReconDeps(fixture, bus, config);
    const service = await startReconciliation(
      options.clock ? { ...deps, clock: options.clock, venue: buildVenue(config) } : deps,
    );
    closers.push(() => service[Symbol.asyncDispose]());
    if (!service.first) throw new Error(`${label}: another reconciler holds the venue's lock`);
    return { fixture, reconciler: service.reconciler, first: service.first, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * An account of its own on the simulator (USDT only) and a bus for reconciliation under the fixture's
 * prefix; no orders service runs, so a fill reconciliation asks to record stays unrecorded.
 */
export async function startSimVenue(
  label: string,
  account: SimAccount,
): Promise<AsyncDisposable & { fixture: VenueFixture; bus: NatsBus }> {
  const fixture = await startVenueFixture({
    label,
    account: { ...account, balances: { USDT: '10000', BTC: '0' } },
  });
  try {
    const bus = await NatsBus.connect({
      servers: await natsUrl(),
      prefix: fixture.prefix,
      source: 'reconciliation',
      clock,
    });
    return {
      fixture,
      bus,
      async [Symbol.asyncDispose]() {
        await bus.drain();
        await fixture.close();
      },
    };
  } catch (err) {
    await fixture.close();
    throw err;
  }
}

export const simClient = (fixture: VenueFixture, account: SimAccount) =>
  binanceClient(fixture.sim, { apiKey: account.apiKey, secret: account.secret });

export const simSlices = (fixture: VenueFixture) => new OrderSliceRepository(fixture.handle.db, clock);

/**
 * The orders service as its own process on the simulator's account (the one writer of fills). Its
 * loop is idle (TICK_MS one hour): an order is sent when it is submitted, and nothing is polled, so
 * the drifts a test makes are found by reconciliation.
 */
export async function startSimOrdersProcess(
  fixture: VenueFixture,
  account: SimAccount,
): Promise<ServiceProcess> {
  return startServiceProcess(
    'orders',
    {
      NATS_URL: await natsUrl(),
      DATABASE_URL: fixture.testDb.url,
      BUS_PREFIX: fixture.prefix,
      LOG_LEVEL: 'info',
      ORDERS_VENUE_KIND: 'ccxt',
      ORDERS_VENUE: 'binance',
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      EXCHANGE_API_KEY: account.apiKey,
      EXCHANGE_API_SECRET: account.secret,
      TICK_MS: '3600000',
    },
    { readyTimeoutMs: 180_000 },
  );
}

/** The simulator's account as the reconciler reads it, with `over` in place of some of its calls. */
export function venueWith(config: ReconConfig, over: (base: OrderVenue) => Partial<OrderVenue>): OrderVenue {
  const base = buildVenue(config);
  return Object.assign(Object.create(base) as OrderVenue, over(base));
}

/** The venue, with `action` run once: after our books are read, before the venue's trades are. */
export function beforeFirstTradeRead(config: ReconConfig, action: () => Promise<void>): OrderVenue {
  let done = false;
  return venueWith(config, (base) => ({
    async tradesSince(symbol, cursor) {
      if (!done) {
        done = true;
        await action();
      }
      return base.tradesSince(symbol, cursor);
    },
  }));
}

/**
 * The venue's stored balances forgotten, as before its first run: the next run has nothing to flag a
 * balance against, so a position difference is ours to set (a deposit then would be set too).
 */
export async function forgetBaseline(fixture: VenueFixture, venue = 'binance'): Promise<void> {
  const recon = new ReconRepository(fixture.handle.db, clock);
  const state = await recon.state(venue);
  if (!state) throw new Error(`${venue}: no reconciliation state to forget the baseline of`);
  await recon.saveState({ ...state, baseline: null });
}
