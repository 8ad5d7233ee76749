import { Subjects, subject } from '@ballast/contracts';
import type { VenueFixture } from '@ballast/exchange-sim/testing';
import { recordedDepthSnapshot, waitFor } from '@ballast/testkit';
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

/**
 * startPaperOrders, its book the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
 * (best ask 58001.04) published on md.book stamped now; resolves once the paper venue trades against it.
 */
export async function startPaperOrdersOnRecordedBook(
  fixture: VenueFixture,
  env: Record<string, string> = {},
  log?: OrdersDeps['log'],
) {
  const orders = await startPaperOrders(fixture, env, log);
  await fixture.bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
    recordedDepthSnapshot('BTCUSDT', Date.now()),
  );
  await waitFor(() => orders.service.venue.orderBook('BTC-USDT'), 'the paper book');
  return orders;
}
