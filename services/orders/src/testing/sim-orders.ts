import { type Bus, NatsBus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import type { VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl } from '@ballast/testkit';
import { ordersConfigSchema } from '../config';
import { type OrdersDeps, startOrders } from '../service';

const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

/**
 * The orders service on its own bus connection under the fixture's prefix, configured by `env`;
 * `extra` hands in a venue of the test's own, a metrics registry, a clock the test moves, randomness,
 * a kill store, or `wrapBus`, what the service publishes through (a test failing some publishes).
 */
export async function startOrdersService(
  fixture: VenueFixture,
  env: Record<string, string>,
  log: OrdersDeps['log'] = silent,
  extra: Partial<Pick<OrdersDeps, 'venue' | 'metrics' | 'clock' | 'random01' | 'kill'>> & {
    wrapBus?: (bus: Bus) => Bus;
  } = {},
) {
  const { wrapBus, ...deps } = extra;
  const bus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: fixture.prefix,
    source: 'orders',
    clock: extra.clock ?? clock,
  });
  const service = await startOrders({
    bus: wrapBus ? wrapBus(bus) : bus,
    db: fixture.handle.db,
    clock,
    ids: () => crypto.randomUUID(),
    config: ordersConfigSchema.parse(env),
    log,
    ...deps,
  }).catch(async (err: unknown) => {
    // A refused start leaves no connection behind.
    await bus.drain();
    throw err;
  });
  return {
    service,
    async stop() {
      await service[Symbol.asyncDispose]();
      await bus.drain();
    },
  };
}

/**
 * The orders service trading the simulator's account through ccxt, with `env` over the venue's
 * variables (`extra` as startOrdersService takes it); returns its stop.
 */
export async function startSimOrders(
  fixture: VenueFixture,
  account: { apiKey: string; secret: string },
  env: Record<string, string> = {},
  log: OrdersDeps['log'] = silent,
  extra: Parameters<typeof startOrdersService>[3] = {},
): Promise<() => Promise<void>> {
  const { stop } = await startOrdersService(
    fixture,
    {
      ORDERS_VENUE_KIND: 'ccxt',
      ORDERS_VENUE: 'binance',
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      EXCHANGE_API_KEY: account.apiKey,
      EXCHANGE_API_SECRET: account.secret,
      ...env,
    },
    log,
    extra,
  );
  return stop;
}
