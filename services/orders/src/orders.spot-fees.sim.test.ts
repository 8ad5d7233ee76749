import { type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { CcxtVenue } from '@ballast/exchange';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// Binance spot as it trades without BNB: a buy's fee is taken from the BTC received, a sell's from the
// USDT. The simulator's book is binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04 for 0.00105 BTC or more) and its filters the recorded exchangeInfo (step 0.00001).
const API_KEY = 'spot-fees-key';
const SECRET = 'spot-fees-secret';

let fixture: VenueFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'ordersfees',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' }, feesIn: 'received' },
  });
});

afterAll(() => fixture?.close());

const client = () => binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });
const venue = () =>
  new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: { apiKey: API_KEY, secret: SECRET },
  });

describe('Binance spot through ccxt: reduce-only closes and fees in the base asset', () => {
  it('sends a reduce-only market sell on spot without the parameter spot refuses', async () => {
    const ex = client();
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'ro-open' });
    const held = Number((await ex.fetchBalance()).BTC?.free);
    const sell = { symbol: 'BTC-USDT', side: 'sell', type: 'market', price: null } as const;
    const closed = await venue().submit({ ...sell, clientOrderId: 'ro-close', qty: held, reduceOnly: true });
    expect(closed).toMatchObject({ status: 'filled', filledQty: held });
    expect(Number((await ex.fetchBalance()).BTC?.free)).toBe(0);
    // The parameter itself is what Binance spot refuses: -1104, which ccxt classes as BadRequest.
    const refused = await ex
      .createOrder('BTC/USDT', 'market', 'sell', 0.001, undefined, { reduceOnly: true })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ccxt.BadRequest);
    expect(String(refused)).toMatch(/"code":-1104/);
  });

  it('publishes the quantity the venue holds after a buy whose fee is in BTC, and closes it flat', async () => {
    const positions: PositionEvent[] = [];
    const sub = await fixture.bus.subscribe(
      subject(Subjects.positionEvent, {}),
      (m) => void positions.push(m.payload),
      { durable: 'test-positions' },
    );
    const stop = await startSimOrders(fixture, { apiKey: API_KEY, secret: SECRET }, { TICK_MS: '50' });
    const ex = client();
    const usdtBefore = Number((await ex.fetchBalance()).USDT?.free);
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('spot-fee-buy'));
    const opened = await waitFor(() => positions.find((p) => p.status === 'opened'), 'the position to open');

    const balance = await ex.fetchBalance();
    // 0.01 BTC bought at 58001.04: 0.00001 BTC fee kept by the venue, 580.0104 USDT paid and no more.
    expect(balance.BTC?.free).toBe(0.00999);
    expect(opened.qty).toBe(balance.BTC?.free);
    expect(opened.avgEntry).toBe(58001.04);
    expect(opened.fees).toBeCloseTo(0.00001 * 58001.04, 10);
    expect(usdtBefore - Number(balance.USDT?.free)).toBeCloseTo(580.0104, 8);

    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'spot-fee-close',
      clientOrderId: 'bl-spot-fee-close',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'sell',
      type: 'market',
      qty: opened.qty,
      price: null,
      triggerPrice: null,
      reduceOnly: true,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    const closed = await waitFor(() => positions.find((p) => p.status === 'closed'), 'the position to close');
    expect(closed.qty).toBe(0);
    expect((await ex.fetchBalance()).BTC?.free).toBe(0);
    // The sell's fee is in USDT: both fees, valued in USDT, make the position's fees.
    const sellFee = (await ex.fetchMyTrades('BTC/USDT')).at(-1)?.fee;
    expect(sellFee?.currency).toBe('USDT');
    expect(closed.fees).toBeCloseTo(opened.fees + Number(sellFee?.cost), 10);
    await sub.stop();
    await stop();
  });
});
