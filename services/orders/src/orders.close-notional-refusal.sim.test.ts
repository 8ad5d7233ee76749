import { type Clock, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { toVenueError, type VenueOrder, type VenueOrderRequest } from '@ballast/exchange';
import { marketCommand, waitFor } from '@ballast/testkit';
import ccxt from 'ccxt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RecordedVenue, simCcxtVenue, startRecordedVenue } from './testing/recorded-venue';
import { startSimOrders } from './testing/sim-orders';

// Binance's NOTIONAL filter holds both bounds, and a refused market order does not say which it
// failed. A close chunk refused above the maximum (Binance valued it at its 5-minute average, above the
// touch in a sell-off) named `min_notional` would be folded into the next chunk, doubling it past the
// cap; named `invalid_order`, as paper names it, the other chunks still go out as planned.
const account = { apiKey: 'close-notional-key', secret: 'close-notional-secret' };
const clock: Clock = { now: () => Date.now() };
const CLOSE_ID = 'bl-cn-close';

let venue: RecordedVenue;

beforeAll(async () => {
  venue = await startRecordedVenue('orders_close_notional', account, { USDT: '10000', BTC: '0' });
});

afterAll(() => venue?.fixture.close());

it('does not fold a close chunk refused above the maximum notional into the next', {
  timeout: 60_000,
}, async () => {
  const { fixture, events } = venue;
  const ccxtVenue = simCcxtVenue(fixture, account);
  const state = { maxNotional: undefined as number | undefined, refuse: '' };
  const rules = ccxtVenue.marketRules.bind(ccxtVenue);
  ccxtVenue.marketRules = async (s: string) => {
    const r = await rules(s);
    return state.maxNotional === undefined ? r : { ...r, maxNotional: state.maxNotional };
  };
  const submit = ccxtVenue.submit.bind(ccxtVenue);
  ccxtVenue.submit = async (o: VenueOrderRequest): Promise<VenueOrder> => {
    if (o.clientOrderId !== state.refuse) return submit(o);
    // Binance's answer, named as CcxtVenue names it with the order it was asked and the market's rules.
    const answer = new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}');
    throw toVenueError(answer, 'createOrder', { order: o, rules: await ccxtVenue.marketRules(o.symbol) });
  };
  const stop = await startSimOrders(fixture, account, { TICK_MS: '50' }, undefined, { venue: ccxtVenue });
  try {
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('cn-open', 'buy', 0.01));
    await waitFor(() => events.find((e) => e.intentId === 'cn-open' && e.status === 'filled'), 'open');
    // Valued at twice the entry (no streamed book) with the 10 % margin, 300 USDT caps a chunk at 0.002.
    state.maxNotional = 300;
    const command = marketCommand('cn-close', 'sell', 0.01, { reduceOnly: true });
    state.refuse = CLOSE_ID;
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), command);
    const repo = new OrderSliceRepository(fixture.handle.db, clock);
    const close = await waitFor(async () => {
      const slices = (await repo.ofIntent('cn-close')).sort((a, b) => a.slice - b.slice);
      return slices.length > 0 && slices.every((s) => s.status === 'filled' || s.status === 'rejected')
        ? slices
        : undefined;
    }, 'close over');
    expect(close.map((s) => [s.slice, s.qty, s.status])).toEqual([
      [0, 0.002, 'rejected'],
      [1, 0.002, 'filled'],
      [2, 0.002, 'filled'],
      [3, 0.002, 'filled'],
      [4, 0.002, 'filled'],
    ]);
    expect(events.find((e) => e.clientOrderId === CLOSE_ID && e.status === 'rejected')?.reason).toBe(
      'invalid_order',
    );
  } finally {
    await stop();
  }
});
