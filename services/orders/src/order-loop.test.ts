import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { OrderSliceRepository, type SliceStatus } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import { CcxtVenue, type VenueOrderRequest } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbOrderManager } from './testing/db-manager';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, with the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as market rules.
const API_KEY = 'loop-key';
const SECRET = 'loop-secret';
const clock: Clock = { now: () => Date.now() };

/** The orders table, counting each read the send loop makes of planned and of open slices, and each update of a slice. */
class CountedSlices extends OrderSliceRepository {
  readonly reads = { planned: 0, open: 0 };
  readonly updates = new Map<string, number>();
  override update(clientOrderId: string, patch: Parameters<OrderSliceRepository['update']>[1]) {
    this.updates.set(clientOrderId, (this.updates.get(clientOrderId) ?? 0) + 1);
    return super.update(clientOrderId, patch);
  }
  override withStatus(statuses: readonly SliceStatus[]) {
    // Start-up's recovery reads `sending` and `open` together; the loop reads one status at a time.
    if (statuses.length === 1 && statuses[0] === 'planned') this.reads.planned++;
    if (statuses.length === 1 && statuses[0] === 'open') this.reads.open++;
    return super.withStatus(statuses);
  }
}

let fixture: SimDbFixture;

beforeAll(async () => {
  // Each test runs its own in-process memory bus (see start): no NATS bus here.
  fixture = await startVenueFixture({
    label: 'orders_loop',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '100000', BTC: '0' } },
    bus: false,
  });
});

afterAll(() => fixture?.close());

/** Called as the venue hears of an order, before it answers; the test may hold the answer back. */
type AtVenue = (order: VenueOrderRequest, slices: OrderSliceRepository) => Promise<void>;

async function start(
  killKey = 'orders-loop',
  atVenue: AtVenue = async () => {},
  config: Record<string, string> = {},
) {
  const hub = new MemoryHub();
  const bus = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub });
  const slices = new CountedSlices(fixture.handle.db, clock);
  const venue = new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: { apiKey: API_KEY, secret: SECRET },
  });
  // What the orders table held for each order at the moment the venue heard of it.
  const atSubmit = new Map<string, SliceStatus | undefined>();
  const submit = venue.submit.bind(venue);
  venue.submit = async (order: VenueOrderRequest) => {
    atSubmit.set(order.clientOrderId, (await slices.get(order.clientOrderId))?.status);
    await atVenue(order, slices);
    return submit(order);
  };
  const manager = dbOrderManager(fixture, { bus, venue, slices, clock, killKey }, config);
  let ticks = 0;
  const tick = manager.tick.bind(manager);
  manager.tick = () => {
    ticks++;
    return tick();
  };
  const events: OrderEvent[] = [];
  const testBus = new MemoryBus({ source: 'test', clock, ids: randomIds(clock), hub });
  await testBus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-events',
  });
  await manager.start();
  return { manager, slices, atSubmit, events, testBus, ticks: () => ticks };
}

/** A gate the first order waits at on the venue until the test opens it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Two decisions: the first order is at the venue (held there) when the second is recorded. */
async function secondWhileFirstAtVenue(
  { testBus, slices, atSubmit }: Awaited<ReturnType<typeof start>>,
  intents: [string, string],
): Promise<void> {
  const [first, second] = intents.map((i) => clientOrderId('bl-', i, 0));
  await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy(intents[0]));
  await waitFor(() => atSubmit.has(first ?? ''), 'the first order at the venue', { timeoutMs: 30_000 });
  await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy(intents[1]));
  await waitFor(async () => (await slices.get(second ?? ''))?.status === 'sending', 'the second recorded', {
    timeoutMs: 30_000,
  });
}

/** Engages the kill switch (no flatten) and waits until the manager has seen it. */
async function killed({ testBus, manager }: Awaited<ReturnType<typeof start>>): Promise<void> {
  await testBus.publish(subject(Subjects.kill, {}), {
    flatten: false,
    reason: 'test kill',
    requestedBy: 'test',
  });
  await waitFor(() => manager.killed, 'the kill seen', { timeoutMs: 30_000 });
}

describe('the send loop', () => {
  it('reads the orders table once while nothing is due or open, and sends a direct order on its record', {
    timeout: 60_000,
  }, async () => {
    const { manager, slices, atSubmit, events, testBus, ticks } = await start();
    try {
      await waitFor(() => ticks() >= 30, 'thirty loop ticks', { timeoutMs: 30_000 });
      expect(slices.reads).toEqual({ planned: 1, open: 1 });
      // What the backtest asks before reading the table for due slices.
      expect(manager.mayHaveDue(clock.now())).toBe(false);

      await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy('loop-direct'));
      const filled = await waitFor(
        () => events.find((e) => e.intentId === 'loop-direct' && e.status === 'filled'),
        'the direct order filled',
        { timeoutMs: 30_000 },
      );
      // Recorded (and marked sending) before the venue heard of it; sent without a read of the table.
      expect(atSubmit.get(filled.clientOrderId)).toBe('sending');
      expect(slices.reads.planned).toBe(1);
      expect(manager.mayHaveDue(clock.now())).toBe(false);
      expect((await slices.get(filled.clientOrderId))?.status).toBe('filled');
    } finally {
      await manager.stop();
    }
  });

  it('sends a direct order on its record alone: no write of the orders table between the two', {
    timeout: 60_000,
  }, async () => {
    const seen = new Map<string, { updates: number; sentAt: number | null | undefined }>();
    const { manager, testBus, events } = await start('orders-loop-stamped', async (order, slices) => {
      const updates = (slices as CountedSlices).updates.get(order.clientOrderId) ?? 0;
      seen.set(order.clientOrderId, { updates, sentAt: (await slices.get(order.clientOrderId))?.sentAt });
    });
    try {
      await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy('loop-stamped'));
      const filled = await waitFor(
        () => events.find((e) => e.intentId === 'loop-stamped' && e.status === 'filled'),
        'the direct order filled',
        { timeoutMs: 30_000 },
      );
      const atVenue = seen.get(filled.clientOrderId);
      expect(atVenue).toEqual({ updates: 0, sentAt: null });
    } finally {
      await manager.stop();
    }
  });

  it('reads the table for a TWAP only once a slice falls due, and sends every slice once', {
    timeout: 60_000,
  }, async () => {
    const { manager, slices, atSubmit, testBus, ticks } = await start();
    try {
      await waitFor(() => ticks() >= 5, 'five loop ticks', { timeoutMs: 30_000 });
      const readsBefore = slices.reads.planned;
      const ticksBefore = ticks();
      await testBus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('loop-twap', 'buy', 0.004, {
          execution: { algo: 'twap', slices: 2, durationMs: 1_500 },
        }),
      );
      const sent = await waitFor(
        async () => {
          const all = (await slices.all()).filter((s) => s.intentId === 'loop-twap');
          return all.length === 2 && all.every((s) => s.status === 'filled') ? all : undefined;
        },
        'both TWAP slices filled',
        { timeoutMs: 30_000 },
      );
      expect(sent.map((s) => atSubmit.get(s.clientOrderId))).toEqual(['sending', 'sending']);
      // Far fewer reads than ticks: one per slice falling due (and one per pass that follows a plan).
      const reads = slices.reads.planned - readsBefore;
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(reads).toBeLessThanOrEqual(4);
      expect(ticks() - ticksBefore).toBeGreaterThan(reads * 5);
      // Every slice sent: nothing of this manager's can fall due, however late.
      expect(manager.mayHaveDue(Number.MAX_SAFE_INTEGER)).toBe(false);
    } finally {
      await manager.stop();
    }
  });

  it('plans a TWAP in no more slices than the venue minimum allows, priced at the recorded touch', {
    timeout: 60_000,
  }, async () => {
    const { manager, slices, testBus } = await start('orders-loop-small-twap');
    try {
      // 0.0005 BTC asked in 5 slices: 0.0001 each is under BTCUSDT's 10 USDT minimum notional at the
      // simulator's recorded book (about 58,000), so 2 slices of 0.00025 are planned instead.
      await testBus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('loop-small-twap', 'buy', 0.0005, {
          execution: { algo: 'twap', slices: 5, durationMs: 1_000 },
        }),
      );
      const planned = await waitFor(
        async () => {
          const all = (await slices.all()).filter((s) => s.intentId === 'loop-small-twap');
          return all.length > 0 && all.every((s) => s.status === 'filled') ? all : undefined;
        },
        'the TWAP slices filled',
        { timeoutMs: 30_000 },
      );
      expect(planned.map((s) => s.qty)).toEqual([0.00025, 0.00025]);
    } finally {
      await manager.stop();
    }
  });

  it("sends a direct order recorded while another is at the venue before the other's answer is applied", {
    timeout: 60_000,
  }, async () => {
    const [first, second] = ['loop-pair-1', 'loop-pair-2'].map((i) => clientOrderId('bl-', i, 0));
    const held = gate();
    let firstWhenSecondSent: SliceStatus | undefined;
    const started = await start('orders-loop-pair', async (order, table) => {
      if (order.clientOrderId === first) await held.opened;
      if (order.clientOrderId === second) firstWhenSecondSent = (await table.get(first ?? ''))?.status;
    });
    try {
      await secondWhileFirstAtVenue(started, ['loop-pair-1', 'loop-pair-2']);
      held.open();
      await waitFor(
        () =>
          [first, second].every((id) =>
            started.events.some((e) => e.clientOrderId === id && e.status === 'filled'),
          ),
        'both orders filled',
        { timeoutMs: 30_000 },
      );
      expect(started.atSubmit.get(second ?? '')).toBe('sending');
      expect(firstWhenSecondSent).toBe('sending');
    } finally {
      await started.manager.stop();
    }
  });

  it('aborts a direct order recorded before a kill came in: the venue never hears of it', {
    timeout: 60_000,
  }, async () => {
    const [first, second] = ['loop-kill-1', 'loop-kill-2'].map((i) => clientOrderId('bl-', i, 0));
    const held = gate();
    const started = await start('orders-loop-kill', async (order) => {
      if (order.clientOrderId === first) await held.opened;
    });
    const { manager, slices, atSubmit, events } = started;
    try {
      await secondWhileFirstAtVenue(started, ['loop-kill-1', 'loop-kill-2']);
      await killed(started);
      held.open();
      await waitFor(
        async () => (await slices.get(second ?? ''))?.status === 'aborted',
        'the second aborted',
        {
          timeoutMs: 30_000,
        },
      );
      await waitFor(
        () => events.some((e) => e.clientOrderId === first && e.status === 'filled'),
        'the first filled',
        {
          timeoutMs: 30_000,
        },
      );
      expect(atSubmit.has(second ?? '')).toBe(false);
      // Announced, so risk frees what the entry held.
      await waitFor(() => events.some((e) => e.clientOrderId === second), 'the second announced');
      expect(events.filter((e) => e.clientOrderId === second)).toMatchObject([
        { status: 'cancelled', qty: 0.01, filledQty: 0, reason: 'kill_switch' },
      ]);
    } finally {
      await manager.stop();
    }
  });

  it('sends a reduce-only close recorded before a kill came in: exits go out during a kill', {
    timeout: 60_000,
  }, async () => {
    const heldId = clientOrderId('bl-', 'loop-exit-held', 0);
    const closeId = 'bl-loop-exit-close';
    const held = gate();
    const started = await start('orders-loop-kill-exit', async (order) => {
      if (order.clientOrderId === heldId) await held.opened;
    });
    const { manager, slices, atSubmit, events, testBus } = started;
    try {
      await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy('loop-exit-entry'));
      await waitFor(
        () => events.some((e) => e.intentId === 'loop-exit-entry' && e.status === 'filled'),
        'the position opened',
        { timeoutMs: 30_000 },
      );
      // Another order held at the venue, and the close recorded behind it when the kill comes.
      await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy('loop-exit-held'));
      await waitFor(() => atSubmit.has(heldId), 'the other order at the venue', { timeoutMs: 30_000 });
      await testBus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('loop-exit-close', 'sell', 0.01, { reduceOnly: true }),
      );
      await waitFor(async () => (await slices.get(closeId))?.status === 'sending', 'the close recorded', {
        timeoutMs: 30_000,
      });
      await killed(started);
      held.open();
      await waitFor(async () => (await slices.get(closeId))?.status === 'filled', 'the close filled', {
        timeoutMs: 30_000,
      });
      expect(atSubmit.get(closeId)).toBe('sending');
      expect(events.filter((e) => e.clientOrderId === closeId && e.status === 'cancelled')).toEqual([]);
    } finally {
      await manager.stop();
    }
  });

  it('sends a replayed direct order its first delivery left recorded as sending, once the venue shows none', {
    timeout: 60_000,
  }, async () => {
    // The record is re-sent once a send signed at its stamp could no longer land: 2 s here, not the
    // default 11 s, which a loaded CI host stretched past the wait.
    const { manager, slices, atSubmit, events, testBus, ticks } = await start(
      'orders-loop-orphan',
      undefined,
      {
        ORDERS_RECV_WINDOW_MS: '2000',
        ORDERS_CLOCK_SKEW_MS: '0',
      },
    );
    const id = clientOrderId('bl-', 'loop-orphan', 0);
    try {
      // The start's idle read is over: only the replay finds the record (the idle read is 10 minutes off).
      await waitFor(() => ticks() >= 5, 'five loop ticks', { timeoutMs: 30_000 });
      // What a first delivery leaves when it fails after its insert: the record, and no send under way.
      await slices.plan(
        [btcSlice(id, { intentId: 'loop-orphan', qty: 0.01, dueAt: clock.now() })],
        'sending',
      );
      await testBus.publish(subject(Subjects.riskDecision, {}), approvedBuy('loop-orphan'));
      await waitFor(
        () => events.some((e) => e.clientOrderId === id && e.status === 'filled'),
        'the order filled',
        {
          timeoutMs: 30_000,
        },
      );
      expect(atSubmit.get(id)).toBe('sending');
      expect(events.filter((e) => e.clientOrderId === id && e.status === 'filled')).toHaveLength(1);
    } finally {
      await manager.stop();
    }
  });
});
