import { type Alert, type Clock, type OrderCommand, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrders } from './testing/paper-orders';

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
    const { service, stop } = await startPaperOrders(
      fixture,
      { PAPER_INITIAL_BALANCES: '{"USDT":200000}' },
      log,
    );
    await fixture.bus.publish(
      subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
      recordedDepthSnapshot('BTCUSDT', clock.now()),
    );
    await waitFor(() => service.venue.orderBook('BTC-USDT'), 'the paper book');

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
});
