import type { Alert, Clock } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import { btcBook, btcBookSnapshot } from './testing/btc-fixtures';
import { forgetAccount } from './testing/fresh-account';
import { heldWithStoredGain } from './testing/held-gain';

// A BTC-USDT long of 0.05 bought at the recorded book's best ask
// (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json) is held across a restart of risk, with
// 10,000 of equity (RISK_EQUITY). Before the restart it was quoted 20% up: the stored peak and day's start
// hold that open gain. After it, no streamed book is trusted (the consumer resumes on deltas) and the
// venue's REST depth, which the test quotes at `scale` of the recorded prices, fails at first.
const clock: Clock = { now: () => Date.now() };
const QTY = 0.05;
const ASK = btcBook.asks[0]![0];
const BID = btcBook.bids[0]![0];
const INTERVAL_MS = 200;
/** The equity at cost after the restart: RISK_EQUITY less the buy's 0.1% fee. */
const AT_COST = 10_000 - 0.001 * QTY * ASK;
const markedAt = (scale: number) => AT_COST + QTY * (Number((BID * scale).toFixed(2)) - ASK);
const PEAK = markedAt(1.2);

let fixture: VenueFixture;
let scale = 1.2;
let reads = 0;
beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'risk-rest-marks' });
  await forgetAccount(fixture.handle.db);
});
afterAll(() => fixture?.close());

/** The simulator's venue, its REST depth quoted at `scale` of its prices: the market moving while risk cannot see its stream. */
function movingVenue() {
  const ccxt = new CcxtVenue({ venue: 'binance', exchangeId: 'binance', baseUrl: fixture.sim.restUrl });
  const at = ([p, q]: readonly [number, number]): [number, number] => [Number((p * scale).toFixed(2)), q];
  return {
    id: ccxt.id,
    marketRules: (symbol: string) => ccxt.marketRules(symbol),
    balances: () => ccxt.balances(),
    orderBook: async (symbol: string, limit?: number, options?: { timeoutMs?: number }) => {
      reads += 1;
      const book = await ccxt.orderBook(symbol, limit, options);
      return { bids: book.bids.map(at), asks: book.asks.map(at) };
    },
  };
}

describe('risk: equity marked from the REST depth while no streamed book is trusted', () => {
  it('latches no halt on a restart that cannot mark a held gain, then marks it from the REST depth each interval until a trusted book does, and again while the feed is not live', {
    timeout: 60_000,
  }, async () => {
    const alerts: Alert[] = [];
    await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'test-rest-marks-alerts',
    });
    // What risk stored before the restart: the long marked 20% up, the peak and the day's start.
    await heldWithStoredGain(fixture.handle.db, clock, {
      clientOrderId: 'bl-rest-mark-buy',
      qty: QTY,
      price: ASK,
      peak: PEAK,
    });
    // The start's read and the first interval's fail.
    fixture.sim.controls.failHttp({ kind: 'server_error', count: 2, pathPrefix: '/api/v3/depth' });
    const metrics = new Registry();
    const risk = await startRisk({
      bus: fixture.bus,
      db: fixture.handle.db,
      clock,
      venue: movingVenue(),
      metrics,
      config: riskConfigSchema.parse({
        EXCHANGE_BASE_URL: fixture.sim.restUrl,
        RISK_EQUITY: '10000',
        RISK_REST_MARK_INTERVAL_MS: String(INTERVAL_MS),
      }),
      log: { info() {}, warn() {} },
    });
    try {
      // At cost the long reads the stored gain (over 5% of the day's start) as a loss: not measured.
      const started = risk.manager.current;
      expect(started.equity).toBeCloseTo(AT_COST, 6);
      expect(started.peakEquity).toBeCloseTo(PEAK, 6);
      expect({ daily: started.dailyLossHalt, drawdown: started.drawdownHalt }).toEqual({
        daily: null,
        drawdown: null,
      });

      // The failed read is counted; the next one marks the long at its REST bid: the gain is still there.
      await waitFor(async () => {
        const failures = await metrics.getSingleMetric('ballast_risk_rest_mark_failures_total')?.get();
        return (failures?.values[0]?.value ?? 0) >= 1;
      }, 'a failed REST mark counted');
      await waitFor(() => Math.abs(risk.manager.current.equity - PEAK) < 1e-6, 'the long marked from REST');
      expect(risk.manager.current.dailyLossHalt).toBeNull();

      // The market gaps 30% under the recorded book while the stream is still untrusted: the REST
      // marks see the loss, which halts entries and is announced.
      scale = 0.7;
      const halt = await waitFor(
        () => alerts.find((a) => a.kind === 'risk_halt' && a.labels.halt === 'daily_loss'),
        'the daily-loss halt announced',
      );
      expect(halt.severity).toBe('critical');
      expect(risk.manager.current.equity).toBeCloseTo(markedAt(0.7), 6);

      // A trusted streamed book marks the long from now on; the REST depth is read no more.
      const markedByStream = async (what: string) => {
        await fixture.bus.publish(
          subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
          btcBookSnapshot(clock.now()),
        );
        await waitFor(() => Math.abs(risk.manager.current.equity - markedAt(1)) < 1e-6, what);
      };
      await markedByStream('the long marked at the streamed bid');
      const readsThen = reads;
      scale = 0.5;
      // Several intervals later (on the service clock) the equity is still the streamed book's.
      const until = clock.now() + 5 * INTERVAL_MS;
      await waitFor(() => clock.now() > until, 'five intervals passed');
      expect(reads - readsThen).toBeLessThanOrEqual(1);
      expect(risk.manager.current.equity).toBeCloseTo(markedAt(1), 6);

      // market-data loses its connection: the book risk holds is in sequence but no longer moves with
      // the market, so the REST depth marks the long again until the feed is live.
      const status = (state: 'reconnecting' | 'live') =>
        fixture.bus.publish(subject(Subjects.feedStatus, { exchange: 'binance' }), {
          exchange: 'binance',
          symbol: 'BTC-USDT',
          state,
          reason: state === 'live' ? 'reconnected' : 'closed 1006; retrying in 800 ms',
          lastMessageTime: null,
        });
      await status('reconnecting');
      await waitFor(
        () => Math.abs(risk.manager.current.equity - markedAt(0.5)) < 1e-6,
        'the long marked from REST while the feed reconnects',
      );
      await status('live');
      await markedByStream('the long marked at the streamed bid once the feed is live');
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });
});
