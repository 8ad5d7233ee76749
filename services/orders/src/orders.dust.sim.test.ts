import { type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// Binance spot without BNB: a buy's fee is taken from the BTC received. The simulator's book is
// binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask 58001.04, best bid 58001.03),
// its filters the recorded exchangeInfo (step 0.00001, min qty 0.00001, min notional 10).
const account = { apiKey: 'dust-key', secret: 'dust-secret' };

let fixture: VenueFixture;
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_dust',
    account: { ...account, balances: { USDT: '10000', BTC: '0' }, feesIn: 'received' },
  });
  await fixture.bus.subscribe(subject(Subjects.positionEvent, {}), (m) => void positions.push(m.payload), {
    durable: 'test-positions',
  });
});

afterAll(() => fixture?.close());

const venueBtc = async () => Number((await binanceClient(fixture.sim, account).fetchBalance()).BTC?.total);

/** Sends a BTC-USDT market order and waits for the position event its fill publishes. */
async function trade(intentId: string, side: 'buy' | 'sell', qty: number): Promise<PositionEvent> {
  const seen = positions.length;
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(intentId, side, qty, { reduceOnly: side === 'sell' }),
  );
  return waitFor(() => positions[seen], `the position event of ${intentId}`);
}

describe('dust a base-asset fee and the lot step leave', () => {
  it('closes the position on a full exit on the step, on a remainder below the minimum notional, and after a restart', {
    timeout: 60_000,
  }, async () => {
    let stop = await startSimOrders(fixture, account, { TICK_MS: '50' });
    const opened = await trade('dust-open-1', 'buy', 0.001);
    // 0.000001 BTC of the 0.001 bought is the venue's fee: 0.000999 held, 0.00099 on the step.
    expect(opened).toMatchObject({ status: 'opened', qty: 0.000999, avgEntry: 58001.04 });

    const closed = await trade('dust-close-1', 'sell', 0.00099);
    expect(closed).toMatchObject({ status: 'closed', qty: 0, avgEntry: 58001.04 });
    // Only the 0.00099 sold is realised (at the best bid); the 0.000009 left is no trade's.
    expect(closed.trade?.realizedPnl).toBeCloseTo(0.00099 * (58001.03 - 58001.04), 10);
    expect(await venueBtc()).toBe(0.000009);

    // A restart folds the recorded fills to the same verdict: the next buy opens a position.
    await stop();
    stop = await startSimOrders(fixture, account, { TICK_MS: '50' });
    const reopened = await trade('dust-open-2', 'buy', 0.001);
    // The dust is taken in at the buy's price: 0.000009 + 0.000999 held, the entry the buy's own.
    expect(reopened).toMatchObject({ status: 'opened', qty: 0.001008, avgEntry: 58001.04 });

    // 0.00098 sold leaves 0.000028: 0.00002 on the step is 1.16 USDT, below the venue's minimum of 10.
    const closedAgain = await trade('dust-close-2', 'sell', 0.00098);
    expect(closedAgain).toMatchObject({ status: 'closed', qty: 0 });
    expect(await venueBtc()).toBe(0.000028);
    await stop();
  });
});
