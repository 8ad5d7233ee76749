import { BusError, publishThrough } from '@ballast/bus';
import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClosedOnceBy, recordOrderFlow } from './testing/recorded-venue';
import { startOrdersService } from './testing/sim-orders';

// The paper broker trades the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// (best ask 58001.04) under the simulator's recorded exchangeInfo. After a fill is recorded the bus
// refuses every publish of one kind (NATS unreachable), and the service is stopped with the fill's
// announcement still held in memory (an operator's restart, a container's health check, a crash). The
// next start must announce it: the stops service protects the position, and risk counts it, only from
// those events. Without it the record read as settled and the events were lost for good.
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

const ENV = {
  ORDERS_VENUE_KIND: 'paper',
  ORDERS_VENUE: 'binance',
  PAPER_INITIAL_BALANCES: '{"USDT":200000}',
  PAPER_FEES_IN: 'quote',
  TICK_MS: '20',
};

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_fill_announced_after_restart' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

async function publishBook(): Promise<void> {
  await fixture.bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
    recordedDepthSnapshot('BTCUSDT', Date.now()),
  );
}

describe.each([
  ['its order event', Subjects.orderEvent.name],
  ['its position event', Subjects.positionEvent.name],
])('a fill recorded whose %s NATS refused until the service stopped', (_what, family) => {
  it('is announced by the next start, once, and the position holds it once', {
    timeout: 90_000,
  }, async () => {
    const intentId = `restart-${family}`;
    const env = { ...ENV, EXCHANGE_BASE_URL: fixture.sim.restUrl };
    let refused = 0;
    const first = await startOrdersService(fixture, env, undefined, {
      wrapBus: (inner) =>
        publishThrough(inner, async (on, payload, options) => {
          const filled = on.family.name !== Subjects.orderEvent.name || (payload as OrderEvent).fill;
          if (on.family.name === family && filled) {
            refused++;
            throw new BusError('transport', 'publish failed: NATS unreachable (test)');
          }
          return inner.publish(on, payload, options);
        }),
    });
    const slices = new OrderSliceRepository(fixture.handle.db, { now: () => Date.now() });
    try {
      await publishBook();
      await waitFor(() => first.service.venue.orderBook('BTC-USDT'), 'the paper book');
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', 0.01));
      await waitFor(async () => {
        const [slice] = await slices.ofIntent(intentId);
        return slice?.status === 'filled' && refused > 0;
      }, 'the fill recorded and its announcement refused');
    } finally {
      await first.stop();
    }
    const [recorded] = await slices.ofIntent(intentId);
    expect([recorded?.fills.length, recorded?.announcedFills]).toEqual([1, 0]);

    const second = await startOrdersService(fixture, env);
    try {
      const opened = await waitFor(
        () => positions.find((p) => p.intentId === intentId && p.status === 'opened'),
        'the position announced after the restart',
      );
      await waitFor(
        () => events.find((e) => e.intentId === intentId && e.status === 'filled' && e.fill),
        'the fill announced after the restart',
      );
      expect([opened.side, opened.qty]).toEqual(['long', 0.01]);
      await waitFor(async () => (await slices.ofIntent(intentId))[0]?.announcedFills === 1, 'marked');

      // Folded once.
      await publishBook();
      await waitFor(() => second.service.venue.orderBook('BTC-USDT'), 'the paper book');
      await expectClosedOnceBy(fixture, { events, positions }, intentId);
      // Announced once: the stream kept one of each (the same ids as the first run's would have been).
      expect(events.filter((e) => e.intentId === intentId && e.fill)).toHaveLength(1);
      expect(positions.filter((p) => p.intentId === intentId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
