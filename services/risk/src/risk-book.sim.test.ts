import type { BookUpdate, Clock, SignalDecision } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import type { HttpFaultSpec } from '@ballast/exchange-sim';
import { natsUrl, type PipelineWatch, waitFor, watchPipeline } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btcBook, btcBookSnapshot, btcSignal } from './testing/btc-fixtures';
import { recordBtcOrder } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

// Risk restarted onto md.book deltas, on the simulator's BTC-USDT (rules from its recorded exchangeInfo,
// book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, which its REST depth serves too:
// best ask 58001.04). With 10,000 of equity the signal's risk budget is cut to the per-market cap, 15%:
// 0.02586 BTC. With 10,000,000 the liquidity cap binds: 10% of the 105.495837 BTC asked within 50 bps of
// the recorded best ask (all 1,000 levels), 10.54958 BTC.
const clock: Clock = { now: () => Date.now() };
const FULL = 0.02586;
// The first REST read also loads the venue's markets, inside the same deadline: on a loaded CI host
// that took longer than the 5 s default once, and the entry was denied liquidity.
const RICH = { RISK_EQUITY: '10000000', RISK_REST_BOOK_TIMEOUT_MS: '30000' };
const FROM_RECORDED_DEPTH = 10.54958;
const snapshot = btcBookSnapshot(0);
const bestAsk = btcBook.asks[0]![0];
const mid = (btcBook.bids[0]![0] + bestAsk) / 2;

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
const publishSignal = (id: string) => bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal(id));

/**
 * A diff market-data streams between its resyncs: 0.1 BTC asked at `ask` (a level changed since the
 * snapshot), ids long past the snapshot's (deltas published while risk was down came before it). A book
 * built from it alone would size the entry to 10% of 0.1 BTC: 0.01.
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
async function ranBefore(env: Record<string, string>): Promise<void> {
  const first = await bed.startRisk(clock, env);
  await settled();
  await first[Symbol.asyncDispose]();
}

async function restartedOnDeltas(
  env: Record<string, string>,
  test: (risk: Awaited<ReturnType<typeof bed.startRisk>>) => Promise<void>,
) {
  await ranBefore(env);
  const risk = await bed.startRisk(clock, env, { book: false });
  try {
    await test(risk);
  } finally {
    await risk[Symbol.asyncDispose]();
  }
}

/** Runs `test` while the simulator's depth endpoint (GET /api/v3/depth) answers with `fault`. */
async function depthFailing(fault: HttpFaultSpec['kind'], test: () => Promise<void>): Promise<void> {
  bed.sim.controls.failHttp({ kind: fault, count: Number.POSITIVE_INFINITY, pathPrefix: '/api/v3/depth' });
  try {
    await test();
  } finally {
    bed.sim.controls.clearHttpFaults();
  }
}

describe('risk restarted onto book deltas', () => {
  it("sizes an entry against the venue's REST depth, not a book built from a delta alone", () =>
    restartedOnDeltas(RICH, async () => {
      await publishBook(delta(bestAsk));
      await settled();
      await publishSignal('resumed-rest');
      expect(await decisionOn('resumed-rest')).toMatchObject({
        approved: true,
        intent: { qty: FROM_RECORDED_DEPTH, entry: bestAsk },
      });
    }));

  it('denies the entry liquidity naming both books when the REST depth read fails; a snapshot needs no REST', () =>
    depthFailing('server_error', () =>
      restartedOnDeltas({}, async () => {
        await publishBook(delta(bestAsk));
        await settled();
        await publishSignal('resumed-a');
        // The simulator answers 503 with Binance's -1001 body, as ccxt reports it.
        expect(await decisionOn('resumed-a')).toMatchObject({
          approved: false,
          reason: 'liquidity',
          limit: 0,
          detail:
            'no binance:BTC-USDT order book to size against (streamed: none in sequence since a snapshot; ' +
            'REST depth read failed: fetchOrderBook: binance {"code":-1001,"msg":"Internal error; unable to process your request. Please try again."})',
        });

        // A trusted, fresh streamed book is used as it is: the depth endpoint still fails.
        await publishBook(btcBookSnapshot(clock.now()));
        await settled();
        await publishSignal('resumed-b');
        expect(await decisionOn('resumed-b')).toMatchObject({ approved: true, intent: { qty: FULL } });
      }),
    ));

  it('gives up on a REST depth read that does not answer within RISK_REST_BOOK_TIMEOUT_MS', () =>
    depthFailing('timeout', () =>
      restartedOnDeltas({ RISK_REST_BOOK_TIMEOUT_MS: '300' }, async () => {
        await publishSignal('resumed-silent');
        expect(await decisionOn('resumed-silent')).toMatchObject({
          approved: false,
          reason: 'liquidity',
          detail:
            'no binance:BTC-USDT order book to size against (streamed: none in sequence since a snapshot; REST depth read failed: no answer within 300 ms)',
        });
      }),
    ));
});

describe('risk with a streamed book in sequence', () => {
  it("sizes against the streamed book while it is fresh, and the venue's REST depth once it is older than RISK_BOOK_MAX_AGE_MS", async () => {
    let ahead = 0;
    const risk = await bed.startRisk({ now: () => Date.now() + ahead }, RICH);
    try {
      // A snapshot holding 0.1 BTC at the best ask: sized against, 10% of it.
      await publishBook({ ...btcBookSnapshot(clock.now()), asks: [[bestAsk, 0.1]] });
      await settled();
      await publishSignal('fresh-stream');
      expect(await decisionOn('fresh-stream')).toMatchObject({ approved: true, intent: { qty: 0.01 } });

      ahead = 10_000;
      await publishSignal('stale-stream');
      expect(await decisionOn('stale-stream')).toMatchObject({
        approved: true,
        intent: { qty: FROM_RECORDED_DEPTH },
      });
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });
});

describe('risk compares an entry with the market it would be bought in', () => {
  const signalAt = (id: string, candidate: Partial<SignalDecision['candidate']>, eventTime = clock.now()) => {
    const s = btcSignal(id);
    return bed.bus.publish(
      subject(Subjects.signalDecision, {}),
      { ...s, candidate: { ...s.candidate, ...candidate } },
      { eventTime },
    );
  };

  it('denies an entry priced far from the book (entry_off_market), and a signal decided too long ago (stale_signal)', async () => {
    const risk = await bed.startRisk(clock);
    try {
      // Sized at its price it would be 0.0375 BTC (the per-market cap, 1,500 of notional) risking 15 to its
      // stop; bought at the recorded best ask, 2,175 of notional losing 690 at the stop.
      await signalAt('off-market', { entry: 40_000, stop: 39_600, takeProfits: [41_000] });
      expect(await decisionOn('off-market')).toMatchObject({
        approved: false,
        reason: 'entry_off_market',
        limit: 50,
        // From the recorded book's mid.
        value: expect.closeTo(((mid - 40_000) / mid) * 10_000, 9),
      });
      await signalAt('stale', {}, clock.now() - 61_000);
      expect(await decisionOn('stale')).toMatchObject({
        approved: false,
        reason: 'stale_signal',
        limit: 60_000,
      });
      await signalAt('at-market', {});
      expect(await decisionOn('at-market')).toMatchObject({ approved: true, intent: { entry: bestAsk } });
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });

  it('takes the largest gap allowed from the limits (RISK_LIMITS_JSON)', async () => {
    const risk = await bed.startRisk(clock, { RISK_LIMITS_JSON: '{"maxEntryGapBps":5000}' });
    try {
      await signalAt('off-market-allowed', { entry: 40_000, stop: 39_600, takeProfits: [41_000] });
      expect(await decisionOn('off-market-allowed')).toMatchObject({
        approved: true,
        intent: { entry: 40_000, qty: 0.0375, riskAmount: 15 },
      });
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });
});

// Last: the recorded orders stay planned in this file's database.
describe('reservations read back unpriced at a restart onto deltas', () => {
  const reserved = (risk: Awaited<ReturnType<typeof bed.startRisk>>, intentId: string) =>
    risk.manager.current.pending.find((p) => p.intentId === intentId);
  /** A decision's market order planned before the restart and not sent yet: reserved unpriced at start. */
  const planned = (clientOrderId: string) =>
    recordBtcOrder(bed.handle.db, {
      clientOrderId,
      strategy: 'test',
      side: 'buy',
      qty: 0.02,
      time: clock.now(),
    });

  it("are priced at the start from the venue's REST depth, not by a delta", async () => {
    await planned('bl-rest-priced-0');
    await restartedOnDeltas({}, async (risk) => {
      expect(reserved(risk, 'in-bl-rest-priced-0')).toMatchObject({ qty: 0.02, entry: bestAsk });
      await publishBook(delta(58_050));
      await settled();
      expect(reserved(risk, 'in-bl-rest-priced-0')?.entry).toBe(bestAsk);
    });
  });

  it('stay unpriced when the REST depth read fails, until a book in sequence since a snapshot', () =>
    depthFailing('server_error', async () => {
      await planned('bl-unpriced-0');
      await restartedOnDeltas({}, async (risk) => {
        expect(reserved(risk, 'in-bl-unpriced-0')).toMatchObject({ qty: 0.02, entry: 0 });
        await publishBook(delta(58_050));
        await settled();
        expect(reserved(risk, 'in-bl-unpriced-0')?.entry).toBe(0);
        await publishBook(btcBookSnapshot(clock.now()));
        await waitFor(() => reserved(risk, 'in-bl-unpriced-0')?.entry === bestAsk, 'priced at the best ask');
      });
    }));
});
