import type { Clock } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { EquityBaseline } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { equityBaselineKey } from './equity-baseline-store';
import { btcBook, trendBtcOpened } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';
import { scaledBtcBooks } from './testing/scaled-btc-book';

// 10,000 of equity (RISK_EQUITY) and a long of 0.05 BTC bought at the recorded book's best ask
// (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json). Quoted 10% up it makes a new peak;
// quoted 5% up after that, only the equity moves. Risk's clock starts at noon UTC today and is moved a
// day on for the restart.
const DAY_MS = 86_400_000;
let shift = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS / 2 - Date.now();
const clock: Clock = { now: () => Date.now() + shift };
const QTY = 0.05;
const ENTRY = btcBook.asks[0]![0];
const BID = btcBook.bids[0]![0];
const markedAt = (scale: number) => 10_000 + QTY * (Number((BID * scale).toFixed(2)) - ENTRY);

const bed = useRiskBed('risk-day-start');

/** The recorded BTC-USDT book at `scale` of its prices, as a snapshot market-data publishes. */
const publishBtcBook = scaledBtcBooks(bed, clock);

const storedEquity = async () =>
  (await new BotStateRepository(bed.handle.db, clock).get(equityBaselineKey('binance'), EquityBaseline))
    ?.value.equity;

describe('a restart on a new UTC day', () => {
  it('starts the day from the equity last marked, not from the last fill or peak stored hours before', {
    timeout: 120_000,
  }, async () => {
    // Every mark is due a store here; the default spaces them a minute apart.
    const env = { RISK_EQUITY_STORE_INTERVAL_MS: '1' };
    const risk = await bed.startRisk(clock, env);
    await bed.bus.publish(subject(Subjects.positionEvent, {}), trendBtcOpened({ qty: QTY, entry: ENTRY }));
    await publishBtcBook(1.1);
    await waitFor(() => Math.abs(risk.manager.current.peakEquity - markedAt(1.1)) < 1e-6, 'the new peak');
    await publishBtcBook(1.05);
    await waitFor(
      async () => Math.abs(((await storedEquity()) ?? 0) - markedAt(1.05)) < 1e-6,
      'the mark stored',
    );
    await risk[Symbol.asyncDispose]();

    shift += DAY_MS;
    const next = await bed.startRisk(clock, env);
    try {
      expect(next.manager.current.dayStartEquity).toBeCloseTo(markedAt(1.05), 6);
      expect(next.manager.current.peakEquity).toBeCloseTo(markedAt(1.1), 6);
    } finally {
      await next[Symbol.asyncDispose]();
    }
  });
});
