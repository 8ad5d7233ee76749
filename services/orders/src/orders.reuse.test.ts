import { type Alert, type Clock, type OrderCommand, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json; market
// rules come from the simulator's recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const clock: Clock = { now: () => Date.now() };
const warnings: string[] = [];
const log = { info() {}, warn: (_o: object, m: string) => void warnings.push(m), error() {} };
let fixture: VenueFixture;
const alerts: Alert[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_reuse' });
  await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-alerts',
  });
});

afterAll(async () => {
  await fixture?.close();
});

const submit = (intentId: string, side: 'buy' | 'sell', qty: number): OrderCommand =>
  marketCommand(intentId, side, qty, { clientOrderId: 'bl-reused-id-1' });

describe('orders service: a submit reusing a client order id', () => {
  it('sends nothing again, logs a warning, and alerts when side or quantity differ', async () => {
    const { stop } = await startPaperOrdersOnRecordedBook(
      fixture,
      { PAPER_INITIAL_BALANCES: '{"USDT":200000}' },
      log,
    );

    const command = subject(Subjects.orderCommand, {});
    await fixture.bus.publish(command, submit('reuse-a', 'buy', 0.01));
    await fixture.bus.publish(command, submit('reuse-a', 'buy', 0.01));
    await fixture.bus.publish(command, submit('reuse-b', 'sell', 0.02));
    const alert = await waitFor(() => alerts.find((a) => a.kind === 'client_order_id_reused'), 'the alert');
    expect(alert).toMatchObject({ severity: 'warning', labels: { clientOrderId: 'bl-reused-id-1' } });
    expect(alert.message).toContain('bl-reused-id-1');
    // The identical replay warned but raised no alert; the colliding submit raised exactly one.
    expect(warnings.filter((m) => m.includes('used client order id'))).toHaveLength(2);
    expect(alerts.filter((a) => a.kind === 'client_order_id_reused')).toHaveLength(1);
    const slices = await new OrderSliceRepository(fixture.handle.db, clock).all();
    expect(slices).toHaveLength(1);
    expect(slices[0]).toMatchObject({ clientOrderId: 'bl-reused-id-1', side: 'buy', qty: 0.01 });
    await stop();
  });

  it('raises no alert for a redelivered close recorded smaller than asked (capped to the position)', async () => {
    const { stop } = await startPaperOrdersOnRecordedBook(
      fixture,
      { PAPER_INITIAL_BALANCES: '{"USDT":200000}' },
      log,
    );
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    const close = marketCommand('reuse-close', 'sell', 0.05, {
      clientOrderId: 'bl-reused-close',
      reduceOnly: true,
    });
    const command = subject(Subjects.orderCommand, {});
    await fixture.bus.publish(command, close);
    const recorded = await waitFor(
      async () => (await slices.ofIntent('reuse-close')).find((s) => s.status === 'filled'),
      'the close filled',
    );
    // The long the first test bought (less its fee): the close of 0.05 sold what the position held.
    expect(recorded.qty).toBeLessThan(0.05);
    const seen = warnings.length;
    await fixture.bus.publish(command, close);
    // Then a submit that does collide on the id: its alert comes after any the redelivery raised.
    await fixture.bus.publish(
      command,
      marketCommand('reuse-close', 'buy', 0.05, { clientOrderId: 'bl-reused-close' }),
    );
    await waitFor(
      () => alerts.find((a) => a.labels?.clientOrderId === 'bl-reused-close'),
      'the collision alerted',
    );
    await stop();
    expect(warnings.slice(seen).filter((m) => m.includes('used client order id'))).toHaveLength(2);
    const raised = alerts.filter((a) => a.labels?.clientOrderId === 'bl-reused-close');
    expect(raised.map((a) => a.message)).toEqual([
      `client order id bl-reused-close reused by a buy 0.05 BTC-USDT submit; recorded order is sell ${recorded.qty}; nothing sent`,
    ]);
  });
});
