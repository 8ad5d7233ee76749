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
let orders: Awaited<ReturnType<typeof startPaperOrdersOnRecordedBook>>;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_lot_step' });
  await recordOrderFlow(fixture, events, positions);
  orders = await startPaperOrdersOnRecordedBook(fixture, { PAPER_INITIAL_BALANCES: '{"USDT":10000}' });
});

afterAll(async () => {
  await orders?.stop();
  await fixture?.close();
});

const refusalOf = (intentId: string) =>
  waitFor(
    () => events.find((e) => e.intentId === intentId && e.status === 'rejected'),
    `${intentId} refused`,
  );

describe('an order for less than one lot step, or too large to plan', () => {
  it('is refused naming the step, not as a reduce-only order with no position, entry or close alike', {
    timeout: 60_000,
  }, async () => {
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('ls-entry', 'buy', 0.000004));
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
  });

  it('refuses a TWAP needing more orders than a TWAP may have under the market maximum, rather than failing its message until dead-lettered', {
    timeout: 60_000,
  }, async () => {
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('ls-huge', 'buy', 1e12, { execution: { algo: 'twap', slices: 5, durationMs: 60_000 } }),
    );
    const refused = await refusalOf('ls-huge');
    expect(refused).toMatchObject({ reason: 'invalid_order', qty: 1e12, filledQty: 0 });
    expect(refused.detail).toMatch(
      /^a TWAP of [\d.]+ needs \d+ orders of at most [\d.]+ \(the market maximum\): more than 1000$/,
    );
  });
});
