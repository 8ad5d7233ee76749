import { readinessKeys, type StoredBacktest, TRADING_SERVICES, VirtualClock } from '@ballast/core';
import {
  BotStateRepository,
  CandleRepository,
  ClosedTradeRepository,
  createDb,
  type DbHandle,
  migrate,
  OrderSliceRepository,
  ServiceUptimeRepository,
  StopCoverageRepository,
} from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherReadiness } from './gather-readiness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2024, 0, 1);
const NOW = START + 40 * DAY;

describe('gatherReadiness against PostgreSQL', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  const clock = new VirtualClock(NOW);

  beforeAll(async () => {
    testDb = await createTestDatabase('gather_readiness');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    const trades = new ClosedTradeRepository(handle.db);
    const trade = (key: string, closeTime: number, pnl: number) =>
      trades.record({
        tradeKey: key,
        strategy: 'trend',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl,
        closeTime,
      });
    await trade('t0', START, 10);
    await trade('t1', START + DAY, -5);
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('says why a backtest was not counted: another period, or not every market the period traded', async () => {
    const figures = { trades: 3, expectancy: 1, maxDrawdownPct: 2 };
    const gather = (backtest: StoredBacktest) =>
      gatherReadiness({ db: handle.db, clock, strategy: 'trend', initialEquity: 1_000, backtest });
    const late = await gather({ ...figures, from: START + 5 * DAY, to: NOW, symbols: ['BTC-USDT'] });
    expect(late.paperStart).toBe(START);
    expect(late.droppedBacktest).toEqual({
      reason: 'other_period',
      from: START + 5 * DAY,
      to: NOW,
      paperStart: START,
      now: NOW,
    });
    expect(late.inputs.backtest).toBeNull();
    const eth = await gather({ ...figures, from: START, to: NOW, symbols: ['ETH-USDT'] });
    expect(eth.droppedBacktest).toEqual({
      reason: 'other_markets',
      replayed: ['ETH-USDT'],
      markets: ['BTC-USDT'],
    });
    const counted = await gather({ ...figures, from: START, to: NOW, symbols: ['BTC-USDT'] });
    expect(counted.droppedBacktest).toBeNull();
    expect(counted.inputs.backtest).toEqual(figures);
  });

  it('counts the days nothing was sampled as down: 2 days of samples in 40 is under 5 %', async () => {
    const uptime = new ServiceUptimeRepository(handle.db);
    for (let at = START; at < START + 2 * DAY; at += HOUR)
      for (const service of TRADING_SERVICES) await uptime.record({ service, sampledAt: at, healthy: true });
    // Services that do not trade running all along change nothing.
    for (let at = START; at <= NOW; at += HOUR)
      await uptime.record({ service: 'gateway', sampledAt: at, healthy: true });
    const { inputs } = await gatherReadiness({
      db: handle.db,
      clock,
      strategy: 'trend',
      initialEquity: 1_000,
      uptimeSampleMs: HOUR,
    });
    expect(inputs.uptimePct).toBeCloseTo((48 / (40 * 24 + 1)) * 100, 10);
    expect(inputs.uptimePct).toBeLessThan(5);
    expect(inputs.uptimeNote).toBe('lowest: market-data, 48 of 961 samples healthy');
  });

  it('counts each sample interval once: services sampling every 30 s, up half an hour of one, read at 60 s are about 50 % up', async () => {
    const from = NOW + DAY;
    await new ClosedTradeRepository(handle.db).record({
      tradeKey: 'fast-0',
      strategy: 'fast',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl: 1,
      closeTime: from,
    });
    const uptime = new ServiceUptimeRepository(handle.db);
    for (let at = from; at < from + HOUR / 2; at += 30_000)
      for (const service of TRADING_SERVICES) await uptime.record({ service, sampledAt: at, healthy: true });
    const { inputs } = await gatherReadiness({
      db: handle.db,
      clock: new VirtualClock(from + HOUR),
      strategy: 'fast',
      initialEquity: 1_000,
      uptimeSampleMs: 60_000,
    });
    expect(inputs.uptimePct).toBeCloseTo((30 / 61) * 100, 10);
    expect(inputs.uptimeNote).toBe('lowest: market-data, 30 of 61 samples healthy');
  });

  it("judges each venue's orders on its own: one venue's orders up all along hides nothing of another's down half the time", async () => {
    const from = NOW + 10 * DAY;
    const trades = new ClosedTradeRepository(handle.db);
    for (const [i, exchange] of ['binance', 'kraken'].entries())
      await trades.record({
        tradeKey: `venues-${exchange}`,
        strategy: 'venues',
        exchange,
        symbol: 'BTC-USDT',
        pnl: 5,
        entryTime: from + i * HOUR,
        closeTime: from + (i + 2) * HOUR,
      });
    const uptime = new ServiceUptimeRepository(handle.db);
    for (let at = from, i = 0; at <= from + 10 * HOUR; at += HOUR, i++)
      for (const service of TRADING_SERVICES) {
        if (!['risk', 'orders', 'stops'].includes(service)) {
          await uptime.record({ service, sampledAt: at, healthy: true });
          continue;
        }
        await uptime.record({ service, venue: 'binance', sampledAt: at, healthy: true });
        const down = service === 'orders' && i >= 5;
        if (!down) await uptime.record({ service, venue: 'kraken', sampledAt: at, healthy: true });
      }
    const { inputs } = await gatherReadiness({
      db: handle.db,
      clock: new VirtualClock(from + 10 * HOUR),
      strategy: 'venues',
      initialEquity: 1_000,
      uptimeSampleMs: HOUR,
    });
    expect(inputs.uptimePct).toBeCloseTo((5 / 11) * 100, 10);
    expect(inputs.uptimeNote).toBe('lowest: orders@kraken, 5 of 11 samples healthy');
  });

  it('starts an unrecorded paper period at the first entry, so the first trade counts in it, and a trade entered before a recorded start does not', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    const trade = (key: string, entryTime: number, closeTime: number, pnl: number) =>
      trades.record({
        tradeKey: key,
        strategy: 'swing',
        exchange: 'binance',
        symbol: 'ETH-USDT',
        pnl,
        closeTime,
        entryTime,
      });
    await trade('s0', START + HOUR, START + 3 * DAY, 30);
    await trade('s1', START + DAY, START + 4 * DAY, -10);
    const gather = () => gatherReadiness({ db: handle.db, clock, strategy: 'swing', initialEquity: 1_000 });
    const first = await gather();
    expect(first.paperStart).toBe(START + HOUR);
    expect(first.inputs).toMatchObject({ closedTrades: 2, expectancy: 10 });
    // A demotion at START + 2 days restarts the period: both positions were open then, neither counts.
    await new BotStateRepository(handle.db, clock).set(readinessKeys.paperStart('swing'), {
      at: START + 2 * DAY,
    });
    expect((await gather()).inputs).toMatchObject({ closedTrades: 0, expectancy: null });
  });

  it('leaves stop coverage unmeasured when no sample saw an open position, instead of 100 %', async () => {
    const stops = new StopCoverageRepository(handle.db);
    for (let at = START; at <= NOW; at += DAY)
      await stops.record({ source: 'stops', sampledAt: at, openPositions: 0, protectedPositions: 0 });
    const gather = () => gatherReadiness({ db: handle.db, clock, strategy: 'trend', initialEquity: 1_000 });
    expect((await gather()).inputs).toMatchObject({
      stopCoveragePct: null,
      stopCoverageNote: 'no open position sampled (41 samples)',
    });
    // One sample with an unprotected position: coverage is judged on it alone.
    await stops.record({ source: 'stops', sampledAt: START + HOUR, openPositions: 2, protectedPositions: 1 });
    expect((await gather()).inputs).toMatchObject({
      stopCoveragePct: 50,
      stopCoverageNote: '1 of 42 samples had open positions',
    });
  });

  it("counts an open position's loss at its last candle close in the drawdown: 30 % under water on a position not closed is not green", async () => {
    const trades = new ClosedTradeRepository(handle.db);
    for (let i = 0; i < 3; i++)
      await trades.record({
        tradeKey: `deep-${i}`,
        strategy: 'deep',
        exchange: 'binance',
        symbol: 'ETH-USDT',
        pnl: 10,
        entryTime: START + i * DAY,
        closeTime: START + i * DAY + HOUR,
      });
    const gather = () => gatherReadiness({ db: handle.db, clock, strategy: 'deep', initialEquity: 1_000 });
    expect((await gather()).inputs.maxDrawdownPct).toBe(0);
    // 1 ETH bought at 1 000 and still held: the account's 1 030 is worth 730 at a close of 700.
    const slices = new OrderSliceRepository(handle.db, clock);
    await slices.plan([
      {
        clientOrderId: 'deep-open-0',
        intentId: 'deep-open',
        slice: 0,
        strategy: 'deep',
        correlationId: null,
        exchange: 'binance',
        symbol: 'ETH-USDT',
        side: 'buy',
        type: 'market',
        qty: 1,
        price: null,
        reduceOnly: false,
        dueAt: START + 10 * DAY,
      },
    ]);
    const fill = {
      tradeId: 'deep-t0',
      price: 1_000,
      qty: 1,
      fee: 0,
      feeAsset: 'USDT',
      liquidity: 'taker' as const,
    };
    await slices.update('deep-open-0', {
      status: 'filled',
      filledQty: 1,
      avgPrice: 1_000,
      fills: [{ ...fill, time: START + 10 * DAY }],
    });
    const unmarked = await gather();
    expect(unmarked.inputs.maxDrawdownPct).toBeNull();
    expect(unmarked.inputs.equityNote).toContain('binance ETH-USDT has no stored candle to mark it');
    await new CandleRepository(handle.db).upsertMany([
      {
        exchange: 'binance',
        symbol: 'ETH-USDT',
        timeframe: '1h',
        openTime: NOW - 2 * HOUR,
        closeTime: NOW - HOUR - 1,
        open: 720,
        high: 730,
        low: 690,
        close: 700,
        volume: 5,
      },
    ]);
    const marked = await gather();
    expect(marked.open).toMatchObject([{ symbol: 'ETH-USDT', side: 'long', qty: 1, mark: 700, pnl: -300 }]);
    expect(marked.inputs.maxDrawdownPct).toBeCloseTo((300 / 1_030) * 100, 10);
    expect(marked.inputs.equityNote).toContain(
      '1 open position(s) marked at the last candle close, -300.00 unrealised',
    );
  });
});
