import { BusError, publishThrough } from '@ballast/bus';
import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClosedOnceBy, recordOrderFlow } from './testing/recorded-venue';
import { startOrdersService } from './testing/sim-orders';

// The paper broker trades the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// (best ask 58001.04) under the simulator's recorded exchangeInfo. The bus refuses the service's first
// publish of one kind (NATS unreachable for a moment) right after a fill: the fill's order event, or
// its position event. The fill must still be announced, once NATS takes it, and folded once: the stops
// service places a stop, and risk counts the exposure, only from those events.
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_fill_publish_fails' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

describe.each([
  ['its order event', Subjects.orderEvent.name],
  ['its position event', Subjects.positionEvent.name],
])('a fill whose %s NATS refused once', (_what, family) => {
  it('is announced once NATS takes it, and the position holds it once', { timeout: 60_000 }, async () => {
    const intentId = `pub-fail-${family}`;
    let refused = 0;
    const { service, stop } = await startOrdersService(
      fixture,
      {
        ORDERS_VENUE_KIND: 'paper',
        ORDERS_VENUE: 'binance',
        EXCHANGE_BASE_URL: fixture.sim.restUrl,
        PAPER_INITIAL_BALANCES: '{"USDT":200000}',
        PAPER_FEES_IN: 'quote',
        TICK_MS: '20',
        // The loop looks orders of unknown outcome up again this often.
        LOOP_IDLE_READ_MS: '200',
      },
      undefined,
      {
        wrapBus: (inner) =>
          publishThrough(inner, async (on, payload, options) => {
            const filled = on.family.name !== Subjects.orderEvent.name || (payload as OrderEvent).fill;
            if (on.family.name === family && filled && refused === 0) {
              refused++;
              throw new BusError('transport', 'publish failed: NATS unreachable (test)');
            }
            return inner.publish(on, payload, options);
          }),
      },
    );
    try {
      await fixture.bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        recordedDepthSnapshot('BTCUSDT', Date.now()),
      );
      await waitFor(() => service.venue.orderBook('BTC-USDT'), 'the paper book');
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', 0.01));

      const filled = await waitFor(
        () => events.find((e) => e.intentId === intentId && e.status === 'filled' && e.fill),
        'the fill announced',
      );
      const opened = await waitFor(
        () => positions.find((p) => p.intentId === intentId && p.status === 'opened'),
        'the position announced',
      );
      expect(refused).toBe(1);
      expect([filled.filledQty, filled.fill?.qty]).toEqual([0.01, 0.01]);
      expect([opened.side, opened.qty]).toEqual(['long', 0.01]);

      // Folded once.
      await expectClosedOnceBy(fixture, { events, positions }, intentId);
    } finally {
      await stop();
    }
  });
});
