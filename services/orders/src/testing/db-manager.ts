import type { Bus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import { BotStateRepository, type OrderSliceRepository } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import type { SimDbFixture } from '@ballast/exchange-sim/testing';
import { KillStore } from '@ballast/service-kit';
import { ordersConfigSchema } from '../config';
import { IntentPlans } from '../intent-plans';
import { OrderManager } from '../order-manager';

const silent = { info() {}, warn() {}, error() {} };

/**
 * An order manager on the fixture's PostgreSQL, talking over `bus` to `venue` (ccxt on the simulator,
 * wrapped by the test as it needs), its kill switch stored under `killKey`. The loop ticks every 10 ms
 * and never idle-reads; `config` overrides the variables.
 */
export function dbOrderManager(
  fixture: SimDbFixture,
  deps: { bus: Bus; venue: OrderVenue; slices: OrderSliceRepository; clock: Clock; killKey: string },
  config: Record<string, string> = {},
): OrderManager {
  const { db } = fixture.handle;
  return new OrderManager({
    bus: deps.bus,
    venue: deps.venue,
    slices: deps.slices,
    intents: new IntentPlans(db, deps.clock),
    kill: new KillStore(new BotStateRepository(db, deps.clock), deps.killKey),
    clock: deps.clock,
    config: ordersConfigSchema.parse({
      ORDERS_VENUE_KIND: 'ccxt',
      TICK_MS: '10',
      LOOP_IDLE_READ_MS: '600000',
      ORDERS_BOOK_MAX_AGE_MS: '0',
      ...config,
    }),
    log: silent,
    random01: () => 0.5,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
}
