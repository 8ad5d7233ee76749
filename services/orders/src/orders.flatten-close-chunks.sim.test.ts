import { type Clock, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { VenueError, type VenueOrder, type VenueOrderRequest } from '@ballast/exchange';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RecordedVenue, simCcxtVenue, startRecordedVenue } from './testing/recorded-venue';
import { simClient } from './testing/sim-client';
import { startSimOrders } from './testing/sim-orders';

// A stops close above the venue's market maximum goes as chunks, one sent per loop pass. A kill's
// flatten arriving between two of them closes the position itself; when its orders land without
// their fills yet (Binance's trade list lagging: CcxtVenue answers accepted, nothing filled), the
// fold still holds the position, and a chunk of the earlier close sent then would sell coins held
// apart (RECON_BASE_HOLDINGS).
const account = { apiKey: 'flatten-chunks-key', secret: 'flatten-chunks-secret' };
const clock: Clock = { now: () => Date.now() };
const TERMINAL = new Set(['filled', 'cancelled', 'rejected', 'aborted']);

let venue: RecordedVenue;

beforeAll(async () => {
  venue = await startRecordedVenue('orders_flatten_close_chunks', account, { USDT: '10000', BTC: '0.5' });
});

afterAll(() => venue?.fixture.close());

const venueBtc = async () =>
  (
    (await simClient(venue.fixture.sim, account.apiKey, account.secret).fetchBalance()) as unknown as {
      total: Record<string, number>;
    }
  ).total.BTC ?? 0;

it('a kill flatten mid chunked close cancels the close chunks still planned and sells none of the coins held apart', {
  timeout: 90_000,
}, async () => {
  const { fixture, events, acks } = venue;
  const ccxtVenue = simCcxtVenue(fixture, account);
  const state = { max: undefined as number | undefined, lag: false };
  const rules = ccxtVenue.marketRules.bind(ccxtVenue);
  ccxtVenue.marketRules = async (s: string) => {
    const r = await rules(s);
    return state.max === undefined ? r : { ...r, marketMaxQty: state.max };
  };
  const submit = ccxtVenue.submit.bind(ccxtVenue);
  ccxtVenue.submit = async (o: VenueOrderRequest): Promise<VenueOrder> => {
    if (o.type === 'market' && state.max !== undefined && o.qty > state.max)
      throw new VenueError('invalid_order', 'MARKET_LOT_SIZE');
    const placed = await submit(o);
    // As CcxtVenue answers when the trade list lags (landedWithoutFills): accepted, nothing filled.
    return state.lag ? { ...placed, status: 'accepted', filledQty: 0, avgPrice: null, fills: [] } : placed;
  };
  const stop = await startSimOrders(
    fixture,
    account,
    { TICK_MS: '4000', RECON_BASE_HOLDINGS: '{"BTC":0.5}' },
    undefined,
    { venue: ccxtVenue },
  );
  try {
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('fc-open', 'buy', 0.01));
    await waitFor(() => events.find((e) => e.intentId === 'fc-open' && e.status === 'filled'), 'open');
    expect(await venueBtc()).toBe(0.51);
    state.max = 0.004;
    // Chunked [0.00334, 0.00333, 0.00333], one per loop pass (TICK_MS 4000).
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('fc-close', 'sell', 0.01, { reduceOnly: true }),
    );
    await waitFor(() => events.find((e) => e.intentId === 'fc-close' && e.status === 'filled'), 'chunk 0');
    state.lag = true;
    const kill = await fixture.bus.publish(subject(Subjects.kill, {}), {
      flatten: true,
      reason: 'flatten mid close',
      requestedBy: 'test',
    });
    await waitFor(() => acks.find((a) => a.commandId === kill.id && a.service === 'orders'), 'kill ack', {
      timeoutMs: 20_000,
    });
    state.lag = false;
    const repo = new OrderSliceRepository(fixture.handle.db, clock);
    const sells = await waitFor(
      async () => {
        const all = (await repo.all()).filter((s) => s.side === 'sell');
        return all.every((s) => TERMINAL.has(s.status)) && all.some((s) => s.intentId.startsWith('flatten:'))
          ? all
          : undefined;
      },
      'every sell over',
      { timeoutMs: 30_000 },
    );
    const close = sells.filter((s) => s.intentId === 'fc-close').sort((a, b) => a.slice - b.slice);
    expect(close.map((s) => [s.slice, s.status])).toEqual([
      [0, 'filled'],
      [1, 'aborted'],
      [2, 'aborted'],
    ]);
    // Cancelled by the flatten, not only clamped away when the loop came to send them.
    const cancelled = close
      .slice(1)
      .map((s) => events.find((e) => e.clientOrderId === s.clientOrderId && e.status === 'cancelled'));
    expect(cancelled.map((e) => e?.reason)).toEqual(['kill_switch', 'kill_switch']);
    expect(await venueBtc()).toBe(0.5);
  } finally {
    await stop();
  }
});
