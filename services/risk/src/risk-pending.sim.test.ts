import type { Clock, RiskDecision, SignalDecision } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import {
  btcBook,
  btcBookSnapshot,
  btcSignal,
  killedBtcBuy,
  refusedBtcBuy,
  trendBtcOpened,
} from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

/** The service clock; a test moves it forward to let a reservation lapse. */
let skew = 0;
const clock: Clock = { now: () => Date.now() + skew };
const silent = { info() {}, warn() {} };
const TTL_MS = 120_000;
// The per-market cap is 15% of 10,000: the recorded BTC signal's 1% risk budget (0.166 BTC to its
// stop) is cut to 1,500 of notional, 0.02586 BTC at its entry.
const CAP = 1_500;
const FULL = 0.02586;

const bed = useRiskBed('risk-pending');

/** A signal decided now on the service clock, as the signals service running on it would publish it. */
const publishSignal = (signal: SignalDecision) =>
  bed.bus.publish(subject(Subjects.signalDecision, {}), signal, { eventTime: clock.now() });
const { decisionOn } = bed;

const start = async () => {
  const config = riskConfigSchema.parse({
    EXCHANGE_BASE_URL: bed.sim.restUrl,
    RISK_EQUITY: '10000',
    RISK_PENDING_TTL_MS: String(TTL_MS),
  });
  const service = await startRisk({ bus: bed.bus, db: bed.handle.db, clock, config, log: silent });
  // Risk's book consumer resumes after what it saw: a started service is given the book again.
  await bed.bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
    btcBookSnapshot(Date.now()),
  );
  await waitFor(() => service.manager.current !== undefined, 'started');
  return service;
};

type Risk = Awaited<ReturnType<typeof start>>;

/** Runs `test` against a started risk service, stopped after it even when the test fails. */
async function withRisk(test: (service: Risk) => Promise<void>): Promise<void> {
  const service = await start();
  try {
    await test(service);
  } finally {
    await service[Symbol.asyncDispose]();
  }
}

/** A BTC long from `strategy`, as signals publishes it. */
const btcFrom = (id: string, strategy: string): SignalDecision => {
  const s = btcSignal(id);
  return { ...s, candidate: { ...s.candidate, strategy } };
};

/**
 * Two BTC longs of one strategy (another strategy would be refused the market: market_held) published
 * back to back: neither waits for the other's decision or fill.
 */
async function twoAtOnce(prefix: string): Promise<[RiskDecision, RiskDecision]> {
  await publishSignal(btcFrom(`${prefix}-a`, 'trend'));
  await publishSignal(btcFrom(`${prefix}-b`, 'trend'));
  return [await decisionOn(`${prefix}-a`), await decisionOn(`${prefix}-b`)];
}

/** Trend's BTC long opened by the approved entry's fill, as the orders service publishes it. */
const openedBtc = (intent: { qty: number; entry: number }) =>
  bed.bus.publish(subject(Subjects.positionEvent, {}), trendBtcOpened(intent));

/** The pair shares the market's cap: the first takes it whole, the second is refused naming the cap. */
function expectCapShared([first, second]: [RiskDecision, RiskDecision]) {
  expect(first).toMatchObject({ approved: true, intent: { qty: FULL } });
  expect(second).toMatchObject({ approved: false, reason: 'max_position', limit: CAP });
  if (second.approved || !first.approved) throw new Error('the cap was not shared');
  expect(second.detail).toMatch(/approved, not filled yet/);
  return first.intent;
}

describe('risk: an approved entry holds its room until it fills, is refused, or lapses', () => {
  it('sizes the second of two entries on one market to what the first left, until the first order is refused', () =>
    withRisk(async (service) => {
      const first = expectCapShared(await twoAtOnce('refused'));

      await bed.bus.publish(
        subject(Subjects.orderEvent, {}),
        refusedBtcBuy(first.intentId, 'bl-refused-0', first.qty),
      );
      await waitFor(() => service.manager.current.pending.length === 0, 'the reservation released');
      await publishSignal(btcFrom('refused-c', 'trend'));
      expect(await decisionOn('refused-c')).toMatchObject({ approved: true, intent: { qty: FULL } });
    }));

  it("frees, once each, the slices of an entry's TWAP that the kill switch aborted; the slice sent keeps its part", () =>
    withRisk(async (service) => {
      const first = expectCapShared(await twoAtOnce('killed'));
      // The TWAP's first slice was sent before the kill; the other two were aborted and announced.
      const [sent, aborted] = [0.00866, 0.0086];
      const killed = (slice: number) => killedBtcBuy(first.intentId, `bl-killed-${slice}`, aborted);
      await bed.bus.publish(subject(Subjects.orderEvent, {}), killed(1));
      // Announced again after the duplicate window (a restart of orders): a new envelope id.
      await bed.bus.publish(subject(Subjects.orderEvent, {}), killed(1));
      await bed.bus.publish(subject(Subjects.orderEvent, {}), killed(2));
      const left = () => service.manager.current.pending.find((p) => p.intentId === first.intentId)?.qty;
      await waitFor(() => Math.abs((left() ?? 0) - sent) < 1e-9, 'the aborted slices freed');
      await publishSignal(btcFrom('killed-c', 'trend'));
      const next = await decisionOn('killed-c');
      if (!next.approved) throw new Error(`killed-c denied: ${next.reason} ${next.detail}`);
      expect(next.intent.qty).toBeCloseTo((CAP - sent * first.entry) / next.intent.entry, 4);
      expect(left()).toBeCloseTo(sent, 9);
    }));

  it('counts the filled position instead of the reservation once the fill shows', () =>
    withRisk(async (service) => {
      const first = expectCapShared(await twoAtOnce('filled'));
      await openedBtc(first);
      await waitFor(() => service.manager.current.positions.length === 1, 'the position');
      expect(service.manager.current.pending).toEqual([]);
      await publishSignal(btcFrom('filled-c', 'trend'));
      expect(await decisionOn('filled-c')).toMatchObject({ approved: false, reason: 'max_position' });
    }));

  it('reserves nothing for a signal redelivered after its entry filled (risk published, then failed before the ack)', () =>
    withRisk(async (service) => {
      // A twentieth of the risk budget: 0.0083 BTC, about a third of the cap, so room is left after it.
      const small = (id: string): SignalDecision => ({ ...btcFrom(id, 'trend'), sizeMultiplier: 0.05 });
      await publishSignal(small('redelivered-a'));
      const first = await decisionOn('redelivered-a');
      if (!first.approved) throw new Error(`redelivered-a denied: ${first.reason} ${first.detail}`);
      await openedBtc(first.intent);
      await waitFor(() => service.manager.current.pending.length === 0, 'the fill took the reservation off');

      // The same signal again; the next one is decided after it (one consumer, in order).
      await publishSignal(small('redelivered-a'));
      await publishSignal(small('redelivered-b'));
      const next = await decisionOn('redelivered-b');
      if (!next.approved) throw new Error(`redelivered-b denied: ${next.reason} ${next.detail}`);
      expect(service.manager.current.pending.map((p) => p.intentId)).toEqual([next.intent.intentId]);
    }));

  it('lets a reservation lapse after RISK_PENDING_TTL_MS on the service clock: a lost order does not hold the market', () =>
    withRisk(async () => {
      expectCapShared(await twoAtOnce('lapsed'));
      skew += TTL_MS / 2;
      await publishSignal(btcFrom('lapsed-c', 'trend'));
      expect(await decisionOn('lapsed-c')).toMatchObject({ approved: false, reason: 'max_position' });
      skew += TTL_MS / 2;
      await publishSignal(btcFrom('lapsed-d', 'trend'));
      expect(await decisionOn('lapsed-d')).toMatchObject({ approved: true, intent: { qty: FULL } });
    }));

  it("reserves, on start, what an approved entry's recorded orders have not filled", async () => {
    // A decision's market order, planned before risk restarted and not sent yet: 0.02 BTC.
    const slices = new OrderSliceRepository(bed.handle.db, clock);
    await slices.plan([
      {
        clientOrderId: 'bl-restart-0',
        intentId: 'in-restart',
        slice: 0,
        strategy: 'trend',
        correlationId: null,
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'buy',
        type: 'market',
        qty: 0.02,
        price: null,
        reduceOnly: false,
        dueAt: clock.now(),
      },
    ]);
    await withRisk(async (service) => {
      // Priced at the recorded book's best ask, the order leaves 1,500 − 0.02 × ask of the cap.
      const ask = btcBook.asks[0]![0];
      await waitFor(
        () => service.manager.current.pending?.[0]?.entry === ask,
        'the order priced by the book',
      );
      await publishSignal(btcFrom('restart-a', 'trend'));
      const left = await decisionOn('restart-a');
      if (!left.approved) throw new Error(`restart-a denied: ${left.reason} ${left.detail}`);
      expect(left.intent.qty).toBeCloseTo((CAP - 0.02 * ask) / left.intent.entry, 4);

      await slices.update('bl-restart-0', { status: 'rejected', detail: 'test' });
      await bed.bus.publish(
        subject(Subjects.orderEvent, {}),
        refusedBtcBuy('in-restart', 'bl-restart-0', 0.02),
      );
      await waitFor(
        () => service.manager.current.pending.every((p) => p.intentId !== 'in-restart'),
        'the recorded order released',
      );
    });
  });
});
