import type { BookUpdate, Clock } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { natsUrl, type PipelineWatch, waitFor, watchPipeline } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btcBook, btcBookSnapshot, btcSignal } from './testing/btc-fixtures';
import { recordBtcOrder } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

// Risk restarted onto md.book deltas, on the simulator's BTC-USDT (rules from its recorded exchangeInfo,
// book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json). With the recorded book the signal's
// risk budget is cut to the per-market cap, 15% of 10,000: 0.02586 BTC.
const clock: Clock = { now: () => Date.now() };
const FULL = 0.02586;
const snapshot = btcBookSnapshot(0);

const bed = useRiskBed('risk-book');
const { decisionOn } = bed;
let pipeline: PipelineWatch | undefined;

beforeAll(async () => {
  pipeline = await watchPipeline(await natsUrl(), bed.prefix);
});
afterAll(() => pipeline?.close());

/** Waits until risk has handled everything published (its consumers at rest). */
const settled = () => {
  if (!pipeline) throw new Error('no pipeline watch');
  return pipeline.waitIdle();
};

const publishBook = (update: BookUpdate) =>
  bed.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }), update);

/**
 * A diff market-data streams between its resyncs: 0.1 BTC asked at the best ask (a level changed since
 * the snapshot), ids long past the snapshot's (deltas published while risk was down came before it).
 */
const delta = (ask: number): BookUpdate => ({
  ...snapshot,
  kind: 'delta',
  firstUpdateId: snapshot.lastUpdateId + 50,
  lastUpdateId: snapshot.lastUpdateId + 51,
  bids: [],
  asks: [[ask, 0.1]],
  time: clock.now(),
});

/** Risk ran with the book and stopped; the next start resumes its book consumer after what it saw. */
async function ranBefore(): Promise<void> {
  const first = await bed.startRisk(clock);
  await settled();
  await first[Symbol.asyncDispose]();
}

async function restartedOnDeltas(test: (risk: Awaited<ReturnType<typeof bed.startRisk>>) => Promise<void>) {
  await ranBefore();
  const risk = await bed.startRisk(clock, {}, { book: false });
  try {
    await test(risk);
  } finally {
    await risk[Symbol.asyncDispose]();
  }
}

const bestAsk = btcBook.asks[0]![0];

describe('risk restarted onto book deltas', () => {
  it('does not size an entry against a book built from a delta alone; sizes it once a snapshot came', () =>
    restartedOnDeltas(async () => {
      // Against this delta's book alone the entry would be sized to 10% of 0.1 BTC: 0.01.
      await publishBook(delta(bestAsk));
      await settled();
      await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal('resumed-a'));
      expect(await decisionOn('resumed-a')).toMatchObject({
        approved: false,
        reason: 'liquidity',
        limit: 0,
        detail:
          'no binance:BTC-USDT order book to size against (none in sequence since a snapshot; market-data sends one when it resyncs)',
      });

      await publishBook(btcBookSnapshot(clock.now()));
      await settled();
      await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal('resumed-b'));
      expect(await decisionOn('resumed-b')).toMatchObject({ approved: true, intent: { qty: FULL } });
    }));

  it("prices a recorded order's reservation only by a book in sequence since a snapshot", async () => {
    // A decision's market order planned before the restart and not sent yet: reserved unpriced at start.
    await recordBtcOrder(bed.handle.db, {
      clientOrderId: 'bl-unpriced-0',
      strategy: 'test',
      side: 'buy',
      qty: 0.02,
      time: clock.now(),
    });
    await restartedOnDeltas(async (risk) => {
      const reserved = () => risk.manager.current.pending.find((p) => p.intentId === 'in-bl-unpriced-0');
      expect(reserved()).toMatchObject({ qty: 0.02, entry: 0 });
      await publishBook(delta(58_050));
      await settled();
      expect(reserved()?.entry).toBe(0);
      await publishBook(btcBookSnapshot(clock.now()));
      await waitFor(() => reserved()?.entry === bestAsk, 'the reservation priced at the best ask');
    });
  });
});
