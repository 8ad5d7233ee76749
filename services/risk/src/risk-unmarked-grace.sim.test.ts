import type { Alert, Clock } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import { btcBook } from './testing/btc-fixtures';
import { forgetAccount } from './testing/fresh-account';
import { heldWithStoredGain } from './testing/held-gain';

// A BTC-USDT long of 0.05 bought at the recorded book's best ask
// (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json) is held across a restart of risk, the
// stored peak and day's start holding a 20% open gain on it. After the restart the venue's REST depth
// never answers and no streamed book comes: the market cannot be marked.
const clock: Clock = { now: () => Date.now() };
const QTY = 0.05;
const ASK = btcBook.asks[0]![0];
const BID = btcBook.bids[0]![0];
const AT_COST = 10_000 - 0.001 * QTY * ASK;
const PEAK = AT_COST + QTY * (Number((BID * 1.2).toFixed(2)) - ASK);

let fixture: VenueFixture;
beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'risk-unmarked-grace' });
  await forgetAccount(fixture.handle.db);
});
afterAll(() => fixture?.close());

it('measures the halts at cost once a held market stays unmarked past RISK_UNMARKED_GRACE_MS', {
  timeout: 60_000,
}, async () => {
  const alerts: Alert[] = [];
  await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-unmarked-grace-alerts',
  });
  await heldWithStoredGain(fixture.handle.db, clock, {
    clientOrderId: 'bl-grace-buy',
    qty: QTY,
    price: ASK,
    peak: PEAK,
  });
  fixture.sim.controls.failHttp({ kind: 'server_error', count: 10_000, pathPrefix: '/api/v3/depth' });
  const risk = await startRisk({
    bus: fixture.bus,
    db: fixture.handle.db,
    clock,
    venue: new CcxtVenue({ venue: 'binance', exchangeId: 'binance', baseUrl: fixture.sim.restUrl }),
    config: riskConfigSchema.parse({
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      RISK_EQUITY: '10000',
      RISK_REST_MARK_INTERVAL_MS: '100',
      RISK_UNMARKED_GRACE_MS: '1500',
    }),
    log: { info() {}, warn() {}, error() {} },
  });
  try {
    // Within the grace the stored gain is not read as a loss.
    expect(risk.manager.current.dailyLossHalt).toBeNull();
    expect(risk.manager.current.equity).toBeCloseTo(AT_COST, 6);
    // Past it the long counts at cost against the stored day's start: more than 5% down, halted.
    const halt = await waitFor(
      () => alerts.find((a) => a.kind === 'risk_halt' && a.labels.halt === 'daily_loss'),
      'the daily-loss halt measured at cost',
    );
    expect(halt.severity).toBe('critical');
    expect(risk.manager.current.dailyLossHalt).not.toBeNull();
  } finally {
    await risk[Symbol.asyncDispose]();
  }
});
