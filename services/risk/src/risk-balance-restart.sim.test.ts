import type { Clock, PositionEvent } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { ClosedTradeRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import { btcBook, trendBtcOpened } from './testing/btc-fixtures';
import { forgetAccount } from './testing/fresh-account';
import { recordBtcFill } from './testing/recorded-orders';

// A BTC-USDT long of 0.02 bought at the recorded book's best ask while risk ran, and sold at its best
// bid while risk was down (binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json), 0.1% taker
// fees. The account's USDT on the simulator is what it holds after the trade: 10,000 and its result.
const clock: Clock = { now: () => Date.now() };
const QTY = 0.02;
const [ASK, BID] = [btcBook.asks[0]![0], btcBook.bids[0]![0]];
const REALISED = QTY * (BID - ASK);
const FEES = 0.001 * QTY * ASK + 0.001 * QTY * BID;
const NET = REALISED - FEES;
const BALANCE = 10_000 + NET;
/** The USDT left while the long is open: 10,000 less its cost and the buy's fee. */
const WHILE_OPEN = 10_000 - QTY * ASK - 0.001 * QTY * ASK;
const ACCOUNT = { apiKey: 'risk-balance-key', secret: 'risk-balance-secret' };

let fixture: VenueFixture;
beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'risk-balance',
    account: { ...ACCOUNT, balances: { USDT: String(BALANCE), BTC: '0' } },
  });
});
beforeEach(async () => {
  await forgetAccount(fixture.handle.db);
  await fixture.handle.db.deleteFrom('order_slices').execute();
  await fixture.handle.db.deleteFrom('closed_trades').execute();
});
afterAll(() => fixture?.close());

type Risk = Awaited<ReturnType<typeof startRisk>>;
/** Risk services running; stopped after each test, failed or not. */
const running = new Set<Risk>();
const stop = async (risk: Risk) => {
  running.delete(risk);
  await risk[Symbol.asyncDispose]();
};
afterEach(async () => {
  for (const risk of running) await stop(risk);
});

/** Risk on the simulator's account: its equity read from the USDT balance, or configured. */
const start = async (env: Record<string, string> = {}) => {
  const risk = await startRisk({
    bus: fixture.bus,
    db: fixture.handle.db,
    clock,
    config: riskConfigSchema.parse({
      EXCHANGE_BASE_URL: fixture.sim.restUrl,
      EXCHANGE_API_KEY: ACCOUNT.apiKey,
      EXCHANGE_API_SECRET: ACCOUNT.secret,
      ...env,
    }),
    log: { info() {}, warn() {} },
  });
  running.add(risk);
  return risk;
};

const fill = (clientOrderId: string, side: 'buy' | 'sell', price: number, time: number) =>
  recordBtcFill(
    fixture.handle.db,
    { clientOrderId, strategy: side === 'buy' ? 'trend' : null, side, qty: QTY, time },
    price,
  );

/**
 * Risk runs with the long open, stops; the long is sold while it is down (the sell recorded, its close
 * published); risk starts again and is delivered the close. Resolves with the restarted risk once the
 * close is recorded.
 */
async function closedWhileDown(env: Record<string, string> = {}) {
  const boughtAt = clock.now() - 60_000;
  await fill('bl-bal-buy', 'buy', ASK, boughtAt);
  // While the long is open the venue holds the USDT it did not spend.
  fixture.sim.controls.setBalance('USDT', String(WHILE_OPEN));
  const before = await start(env);
  expect(before.manager.current.positions).toMatchObject([{ positionId: 'binance:BTC-USDT', qty: QTY }]);
  await stop(before);

  const soldAt = boughtAt + 30_000;
  await fill('bl-bal-sell', 'sell', BID, soldAt);
  fixture.sim.controls.setBalance('USDT', String(BALANCE));
  const closed: PositionEvent = {
    ...trendBtcOpened({ qty: 0, entry: ASK }),
    status: 'closed',
    realizedPnl: REALISED,
    fees: FEES,
  };
  await fixture.bus.publish(subject(Subjects.positionEvent, {}), closed, { eventTime: soldAt });
  const risk = await start(env);
  await waitFor(() => risk.manager.current.lossStreak.losses === 1, 'the close recorded');
  expect(await new ClosedTradeRepository(fixture.handle.db).all()).toEqual([
    expect.objectContaining({ pnl: expect.closeTo(NET, 9), entryTime: boughtAt, closeTime: soldAt }),
  ]);
  return risk;
}

describe('risk: a close that happened while risk was down', () => {
  it('adds nothing to an equity read from the venue balance, which contains it already', async () => {
    const risk = await closedWhileDown();
    const { equity, peakEquity, positions } = risk.manager.current;
    // The peak is the equity with the long open: its coins at the simulator's best bid (read from its
    // REST depth at start), the buy's fee paid.
    expect({ equity, peakEquity, positions }).toEqual({
      equity: BALANCE,
      peakEquity: expect.closeTo(10_000 - 0.001 * QTY * ASK - QTY * (ASK - BID), 6),
      positions: [],
    });
  });

  it('counts once in a configured equity (RISK_EQUITY)', async () => {
    const risk = await closedWhileDown({ RISK_EQUITY: '10000' });
    expect(risk.manager.current.equity).toBeCloseTo(10_000 + NET, 9);
    expect(risk.manager.current.positions).toEqual([]);
  });

  it('reads no loss from a long still open but the spread: its cost is in coins, worth their bid (no halt latches)', async () => {
    fixture.sim.controls.setBalance('USDT', '10000');
    const first = await start();
    expect(first.manager.current.equity).toBe(10_000);
    await stop(first);
    // While risk is down the long is bought: the venue's USDT drops by its cost and the buy's fee.
    const cost = QTY * ASK;
    const fee = 0.001 * cost;
    await fill('bl-bal-open', 'buy', ASK, clock.now() - 1_000);
    fixture.sim.controls.setBalance('USDT', String(WHILE_OPEN));
    try {
      const risk = await start();
      const { equity, peakEquity, drawdownHalt, dailyLossHalt, positions } = risk.manager.current;
      // Marked at the best bid of the simulator's REST depth, read at start.
      expect(equity).toBeCloseTo(10_000 - fee - QTY * (ASK - BID), 6);
      expect(peakEquity).toBe(10_000);
      expect({ drawdownHalt, dailyLossHalt }).toEqual({ drawdownHalt: null, dailyLossHalt: null });
      expect(positions).toMatchObject([{ positionId: 'binance:BTC-USDT', qty: QTY }]);
    } finally {
      fixture.sim.controls.setBalance('USDT', String(BALANCE));
    }
  });
});
