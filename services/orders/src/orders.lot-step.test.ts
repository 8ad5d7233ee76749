import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper broker's book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// (best ask 58001.04), published as md.book; the market rules come from the simulator's recorded
// exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: BTCUSDT lot step 0.00001).
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_lot_step' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

const refusalOf = (intentId: string) =>
  waitFor(
    () => events.find((e) => e.clientOrderId === `bl-${intentId}` && e.status === 'rejected'),
    `${intentId} refused`,
  );

describe('an order for less than one lot step', () => {
  it('is refused naming the step, not as a reduce-only order with no position, entry or close alike', {
    timeout: 60_000,
  }, async () => {
    const orders = await startPaperOrdersOnRecordedBook(fixture, {
      PAPER_INITIAL_BALANCES: '{"USDT":10000}',
    });
    try {
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('ls-entry', 'buy', 0.000004),
      );
      expect(await refusalOf('ls-entry')).toMatchObject({
        reason: 'invalid_order',
        qty: 0.000004,
        detail: 'quantity 0.000004 is under the lot step 0.00001 of BTC-USDT',
      });

      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('ls-open', 'buy', 0.001));
      await waitFor(() => positions.find((p) => p.intentId === 'ls-open'), 'the position opened');
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('ls-close', 'sell', 0.000004, { reduceOnly: true }),
      );
      expect(await refusalOf('ls-close')).toMatchObject({
        reason: 'invalid_order',
        detail: 'quantity 0.000004 is under the lot step 0.00001 of BTC-USDT',
      });
    } finally {
      await orders.stop();
    }
  });
});
