import type { VenueFixture } from '@ballast/exchange-sim/testing';
import type { OrdersDeps } from '../service';
import { startOrdersService } from './sim-orders';

/**
 * The orders service trading a paper account on Binance (market rules from the simulator's REST), with
 * `env` over the paper variables. Its book comes from md.book only: the test publishes one.
 */
export function startPaperOrders(
  fixture: VenueFixture,
  env: Record<string, string> = {},
  log?: OrdersDeps['log'],
) {
  return startOrdersService(
    fixture,
    {
      ORDERS_VENUE_KIND: 'paper',
      ORDERS_VENUE: 'binance',
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      TICK_MS: '20',
      ...env,
    },
    log,
  );
}
