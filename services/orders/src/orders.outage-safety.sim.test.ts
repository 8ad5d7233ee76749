import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { CcxtVenue, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, marketCommand, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderManager } from './order-manager';
import { dbOrderManager } from './testing/db-manager';

// The orders manager through venue outages, kills and crashes, on a spot account on the exchange simulator
// holding 1 BTC apart from trading: a reduce-only sell the venue takes beyond our position sells those
// coins (spot has no reduce-only to refuse it).
const clock: Clock = { now: () => Date.now() };
const WAIT = { timeoutMs: 30_000 };
let fixture: SimDbFixture | undefined;
let manager: OrderManager | undefined;
afterEach(async () => {
  await manager?.stop();
  await fixture?.close();
});

/** The orders manager on the simulator, its sends and look-ups failing while `faults` say so. */
async function start(label: string, config: Record<string, string> = {}) {
  const apiKey = `${label}-key`;
  const secret = `${label}-secret`;
  fixture = await startVenueFixture({
    label: `orders_reduce_cap_${label}`,
    account: { apiKey, secret, balances: { USDT: '100000', BTC: '1' } },
    bus: false,
  });
  const venue = new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: { apiKey, secret },
  });
  const faults = { submit: false, lookup: false, failedLookups: 0 };
  const sent: string[] = [];
  const submit = venue.submit.bind(venue);
  venue.submit = async (o: VenueOrderRequest) => {
    if (faults.submit) throw new VenueError('network', 'request timed out (test)');
    sent.push(o.clientOrderId);
    return submit(o);
  };
  const fetch = venue.fetchByClientId.bind(venue);
  venue.fetchByClientId = async (symbol: string, id: string) => {
    if (faults.lookup) {
      faults.failedLookups++;
      throw new VenueError('network', 'lookup timed out (test)');
    }
    return fetch(symbol, id);
  };
  const hub = new MemoryHub();
  const slices = new OrderSliceRepository(fixture.handle.db, clock);
  const ordersBus = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub });
  manager = dbOrderManager(
    fixture,
    { bus: ordersBus, venue, slices, clock, killKey: label },
    // A failed send here never leaves: a short recvWindow keeps the wait before it goes out again short.
    {
      RETRY_ATTEMPTS: '3',
      RETRY_BASE_MS: '5',
      ORDERS_RECV_WINDOW_MS: '300',
      ORDERS_CLOCK_SKEW_MS: '0',
      ...config,
    },
  );
  const bus = new MemoryBus({ source: 'test', clock, ids: randomIds(clock), hub });
  const events: OrderEvent[] = [];
  await bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), { durable: 't' });
  await manager.start();
  await bus.publish(subject(Subjects.riskDecision, {}), approvedBuy(`${label}-entry`));
  await waitFor(
    () => events.some((e) => e.intentId === `${label}-entry` && e.status === 'filled'),
    'entry filled',
    WAIT,
  );
  const btc = async () => (await venue.balances()).BTC ?? 0;
  /** An operator's reduce-only market sell of 0.01 BTC (a close as the stops service sends it). */
  const close = (intentId: string) =>
    bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand(intentId, 'sell', 0.01, { reduceOnly: true }),
    );
  const announced = (intentId: string, status: OrderEvent['status'], what: string) =>
    waitFor(() => events.some((e) => e.intentId === intentId && e.status === status), what, WAIT);
  return {
    bus,
    ordersBus,
    venue,
    slices,
    faults,
    sent,
    events,
    btc,
    close,
    announced,
    heldAfterEntry: await btc(),
  };
}

describe('a reduce-only order is capped to the position when it is sent', () => {
  it('a TWAP exit under way sends nothing more once a kill with flatten closed the position', {
    timeout: 90_000,
  }, async () => {
    const { bus, slices, events, btc, announced, heldAfterEntry } = await start('twapkill');
    // The second slice falls due 8 s after the first: the kill and its flatten land in between even on a
    // loaded machine (at 2 s apart, a slow run sent the second slice before the kill).
    const twap = { algo: 'twap' as const, slices: 2, durationMs: 16_000 };
    const exit = marketCommand('twapkill-exit', 'sell', 0.01, { reduceOnly: true, execution: twap });
    await bus.publish(subject(Subjects.orderCommand, {}), exit);
    await announced('twapkill-exit', 'filled', 'exit slice 0 filled');
    await bus.publish(subject(Subjects.kill, {}), { flatten: true, reason: 'test', requestedBy: 'test' });
    await waitFor(
      () => events.some((e) => e.intentId?.startsWith('flatten:') && e.status === 'filled'),
      'flatten filled',
      WAIT,
    );
    const second = await waitFor(
      () => events.find((e) => e.intentId === 'twapkill-exit' && e.status === 'cancelled'),
      'the exit slice left announced cancelled',
      WAIT,
    );
    // Cancelled by the flatten itself, before it closed the position (the send-time cap would abort it too).
    expect(second).toMatchObject({ filledQty: 0, reason: 'kill_switch' });
    expect((await slices.all()).filter((s) => s.intentId === 'twapkill-exit').map((s) => s.status)).toEqual([
      'filled',
      'aborted',
    ]);
    // Our 0.01 sold, the coins held apart kept.
    expect(await btc()).toBeCloseTo(heldAfterEntry - 0.01, 8);
  });

  it('a close whose outcome was unknown is not sent once a later close filled the position', {
    timeout: 90_000,
  }, async () => {
    const { slices, faults, sent, btc, close, announced, heldAfterEntry } = await start('stale');
    faults.submit = true;
    faults.lookup = true;
    await close('stale-close-1');
    await waitFor(
      async () => (await slices.get('bl-stale-close-1'))?.status === 'sending',
      'close 1 unknown',
      WAIT,
    );
    // The stops service sends its close again under a new id (CLOSE_CONFIRM_MS later); sends work again.
    faults.submit = false;
    await close('stale-close-2');
    await announced('stale-close-2', 'filled', 'close 2 filled');
    // Look-ups answer again: the venue never had close 1, so it would be sent now; the position is gone.
    faults.lookup = false;
    await waitFor(
      async () => (await slices.get('bl-stale-close-1'))?.status === 'aborted',
      'close 1 aborted unsent',
      WAIT,
    );
    expect(sent).not.toContain('bl-stale-close-1');
    expect(await btc()).toBeCloseTo(heldAfterEntry - 0.01, 8);
  });
});

describe('an entry whose send outcome was unknown', () => {
  it('is given up, not sent late, once it is past due by more than UNSENT_ENTRY_MAX_AGE_MS', {
    timeout: 90_000,
  }, async () => {
    const { bus, slices, faults, sent, events } = await start('lateentry', { UNSENT_ENTRY_MAX_AGE_MS: '0' });
    faults.submit = true;
    faults.lookup = true;
    await bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('lateentry-2'));
    // RETRY_ATTEMPTS (3) look-ups fail the send, and a fourth is the loop's re-check: the outcome is unknown.
    await waitFor(() => faults.failedLookups >= 4, 'the entry left unknown', WAIT);
    const id = (await slices.all()).find((s) => s.intentId === 'lateentry-2')?.clientOrderId;
    expect((await slices.get(id ?? ''))?.status).toBe('sending');
    faults.submit = false;
    faults.lookup = false;
    const given = await waitFor(
      () => events.find((e) => e.intentId === 'lateentry-2' && e.status === 'cancelled'),
      'the entry given up',
      WAIT,
    );
    expect(given).toMatchObject({ reason: 'venue_unavailable', filledQty: 0 });
    expect(given.detail).toContain('given up, not sent late');
    // Announced first, then recorded (a crash in between repeats the same announcement): waited for.
    await waitFor(async () => (await slices.get(id ?? ''))?.status === 'aborted', 'the slice aborted', WAIT);
    expect(sent).not.toContain(id);
  });
});

describe('a refused entry', () => {
  it('whose rejection was lost after its refusal was recorded is announced when the decision comes again', {
    timeout: 90_000,
  }, async () => {
    const { bus, ordersBus, slices, events } = await start('lostrefusal');
    await bus.publish(subject(Subjects.kill, {}), { flatten: false, reason: 'test', requestedBy: 'test' });
    await waitFor(() => manager?.killed === true, 'the kill engaged', WAIT);
    // The process dies between recording the refusal and publishing it: the publish fails once.
    const publish = ordersBus.publish.bind(ordersBus);
    let crashed = false;
    ordersBus.publish = (async (...args: Parameters<typeof publish>) => {
      if (!crashed && (args[1] as OrderEvent | undefined)?.status === 'rejected') {
        crashed = true;
        throw new Error('crash before the rejection is published (test)');
      }
      return publish(...args);
    }) as typeof publish;
    await bus
      .publish(subject(Subjects.riskDecision, {}), approvedBuy('lostrefusal-2'))
      .catch(() => undefined);
    await waitFor(() => crashed, 'the rejection lost', WAIT);
    const recorded = (await slices.all()).find((s) => s.intentId === 'lostrefusal-2');
    expect(recorded?.status).toBe('rejected');
    // The bus delivers the unacknowledged decision again (and so does this test, as JetStream would).
    await bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('lostrefusal-2'));
    const rejected = await waitFor(
      () => events.find((e) => e.intentId === 'lostrefusal-2' && e.status === 'rejected'),
      'the rejection announced',
      WAIT,
    );
    expect(rejected).toMatchObject({
      reason: 'kill_switch',
      detail: 'the kill switch is engaged',
      filledQty: 0,
    });
  });
});

describe('a close delivered again after it filled', () => {
  it('is a repeat: no rejection for want of a position, though the position it closed is gone', {
    timeout: 90_000,
  }, async () => {
    const { events, close, announced } = await start('closedup');
    await close('closedup-close');
    await announced('closedup-close', 'filled', 'close filled');
    await close('closedup-close');
    // A new close, read after the repeat, is refused: there is no position. The repeat was handled first.
    await close('closedup-after');
    await announced('closedup-after', 'rejected', 'the later close refused');
    expect(events.filter((e) => e.intentId === 'closedup-close').map((e) => e.status)).toEqual(['filled']);
  });
});
