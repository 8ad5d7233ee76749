import type { Bus } from '@ballast/bus';
import { type BookUpdate, type Clock, Subjects, subject } from '@ballast/contracts';
import type { OrderVenue } from '@ballast/exchange';
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

/**
 * The paper orders service on a clock the test moves (a jump is time passing), with no TWAP jitter
 * (slices exactly one interval apart). Its loop runs when the test ticks it (and when an order comes
 * in), and a book is trusted however old it is by that clock. `wrapBus`: what it publishes through.
 */
export function startPaperOrdersOnClock(
  fixture: VenueFixture,
  clock: Clock,
  env: Record<string, string> = {},
  wrapBus?: (bus: Bus) => Bus,
) {
  return startOrdersService(
    fixture,
    {
      ORDERS_VENUE_KIND: 'paper',
      ORDERS_VENUE: 'binance',
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      TICK_MS: '3600000',
      ORDERS_BOOK_MAX_AGE_MS: '86400000',
      ...env,
    },
    undefined,
    { clock, random01: () => 0.5, ...(wrapBus ? { wrapBus } : {}) },
  );
}

/** The recorded book (best ask 58001.04) at `factor` of its prices, sizes as recorded, stamped `time`. */
export function scaledRecordedBook(factor: number, time: number): BookUpdate {
  const book = recordedDepthSnapshot('BTCUSDT', time);
  const at = (levels: BookUpdate['asks']) =>
    levels.map(([p, q]): [number, number] => [Math.round(p * factor * 100) / 100, q]);
  return { ...book, bids: at(book.bids), asks: at(book.asks) };
}

/** Publishes a BTC-USDT `book` on md.book and waits until the paper venue trades against it (its best ask). */
export async function showPaperBook(
  fixture: VenueFixture,
  venue: OrderVenue,
  book: BookUpdate,
): Promise<void> {
  await fixture.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }), book);
  const [price, size] = book.asks[0] ?? [];
  await waitFor(async () => {
    const top = (await venue.orderBook('BTC-USDT')).asks[0];
    return top?.[0] === price && top?.[1] === size;
  }, 'the paper book');
}
