import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Clock,
  type PositionEvent,
  type RiskDecision,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { DEFAULT_RISK_LIMITS, evaluateEntry, initialRiskState } from '@ballast/core';
import { ClosedTradeRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import {
  createTestDatabase,
  natsUrl,
  readDataFile,
  sharedDataDir,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';

// Book: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json; filters from the simulator's
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {} };
const raw = JSON.parse(readDataFile('binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json')) as {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
};
const levels = (xs: [string, string][]) => xs.map(([p, q]): [number, number] => [Number(p), Number(q)]);

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;

beforeAll(async () => {
  sim = await startExchangeSim({ dataDir: sharedDataDir(), speed: { mode: 'step' }, bybit: false });
  testDb = await createTestDatabase('risk');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  bus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: `${uniqueName('risk')}.`,
    source: 'test',
    clock,
  });
  await bus.ensureStreams();
});

afterAll(async () => {
  await bus?.drain();
  await deleteStreamsAt(await natsUrl(), bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

const signal = (id: string): SignalDecision => ({
  candidate: {
    id,
    strategy: 'test',
    setup: 'breakout',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
    side: 'long',
    entry: 58001.04,
    stop: 57400,
    takeProfits: [59500],
    confidence: 70,
    rank: 1,
    rationale: 'test',
    veto: null,
  },
  analyst: null,
  reviewer: null,
  approved: true,
  sizeMultiplier: 1,
});

describe('risk service', () => {
  it('sizes an approval by the core rules and rejects with kill_switch while killed', async () => {
    const service = await startRisk({
      bus,
      db: handle.db,
      clock,
      config: riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' }),
      log: silent,
    });
    const decisions: RiskDecision[] = [];
    const sub = await bus.subscribe(
      subject(Subjects.riskDecision, {}),
      (m) => void decisions.push(m.payload),
      {
        durable: 'test-decisions',
      },
    );
    const book = { bids: levels(raw.bids), asks: levels(raw.asks) };
    await bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }), {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      kind: 'snapshot',
      firstUpdateId: null,
      lastUpdateId: raw.lastUpdateId,
      ...book,
      time: clock.now(),
    });
    await waitFor(() => service.manager !== undefined, 'started');
    await bus.publish(subject(Subjects.signalDecision, {}), signal('cand-1'));
    const approved = await waitFor(() => decisions.find((d) => d.approved), 'an approval');
    const expected = evaluateEntry(
      initialRiskState(10_000, clock.now()),
      {
        ...signal('cand-1').candidate,
        regime: 'trending',
        volatilityScale: 1,
        sizeMultiplier: 1,
        book,
        rules: { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 },
      },
      DEFAULT_RISK_LIMITS,
      clock.now(),
    );
    expect(expected.ok).toBe(true);
    expect(approved).toMatchObject({ approved: true, intent: { qty: expected.ok ? expected.qty : -1 } });

    await bus.publish(subject(Subjects.kill, {}), { flatten: false, reason: 'test', requestedBy: 'test' });
    await waitFor(() => service.manager.current.kill.engaged, 'the kill to apply');
    await bus.publish(subject(Subjects.signalDecision, {}), signal('cand-2'));
    const denied = await waitFor(() => decisions.find((d) => !d.approved), 'a rejection');
    expect(denied).toMatchObject({
      approved: false,
      candidateId: 'cand-2',
      reason: 'kill_switch',
      limit: 0,
      value: 1,
    });
    await sub.stop();
    await service[Symbol.asyncDispose]();
  });

  it('folds realised pnl and fees from position events into equity, per trade, and keeps it across a restart', async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const first = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    // Cumulative per position id, as the orders service publishes them.
    const position = (status: PositionEvent['status'], qty: number, realizedPnl: number, fees: number) =>
      bus.publish(subject(Subjects.positionEvent, {}), {
        status,
        positionId: 'binance:BTC-USDT',
        strategy: 'test',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'long' as const,
        qty,
        avgEntry: 58001.04,
        realizedPnl,
        fees,
      });
    const equity = (value: number, what: string) =>
      waitFor(() => Math.abs(first.manager.current.equity - value) < 1e-9, what);
    await position('opened', 0.01, 0, 0.58);
    await equity(9999.42, 'the entry fee');
    await position('closed', 0, 20, 1.16);
    await equity(10018.84, 'the first close: +20 realised, 1.16 fees in all');
    await position('opened', 0.01, 20, 1.74);
    await equity(10018.26, 'the second entry fee');
    await position('closed', 0, 5, 2.32);
    await equity(10002.68, 'the second close: 15 lost, 0.58 more fees');
    const trades = new ClosedTradeRepository(handle.db);
    const pnls = (await trades.all()).map((t) => Number(t.pnl.toFixed(8)));
    // Each trade's own pnl, not the cumulative figures: 20 − 1.16, then (5 − 2.32) − 18.84.
    expect(pnls).toEqual([18.84, -16.16]);
    expect(first.manager.current.lossStreak.losses).toBe(1);
    await first[Symbol.asyncDispose]();

    const second = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    // RISK_EQUITY is the starting amount: the recorded trades are added back.
    expect(second.manager.current.equity).toBeCloseTo(10002.68, 9);
    await second[Symbol.asyncDispose]();
  });
});
