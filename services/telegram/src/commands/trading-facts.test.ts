import { TRADING_SERVICES, VirtualClock } from '@ballast/core';
import {
  ClosedTradeRepository,
  createDb,
  type DbHandle,
  migrate,
  ServiceUptimeRepository,
} from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingFacts } from './trading-facts';

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);
const NOW = START + 2 * 24 * HOUR;

describe("Telegram's readiness uptime", () => {
  let testDb: TestDatabase;
  let handle: DbHandle;

  beforeAll(async () => {
    testDb = await createTestDatabase('telegram_facts');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    await new ClosedTradeRepository(handle.db).record({
      tradeKey: 't0',
      strategy: 'trend',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl: 1,
      closeTime: START,
    });
    // A stack sampling every 4 h, healthy throughout.
    const uptime = new ServiceUptimeRepository(handle.db);
    for (let at = START; at <= NOW; at += 4 * HOUR)
      for (const service of TRADING_SERVICES) await uptime.record({ service, sampledAt: at, healthy: true });
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it("expects one sample per the stack's UPTIME_SAMPLE_MS, so a healthy stack sampling slowly reads 100 %", async () => {
    const facts = new TradingFacts({
      db: handle.db,
      clock: new VirtualClock(NOW),
      initialEquity: 1_000,
      strategies: [],
      uptimeSampleMs: 4 * HOUR,
    });
    const [trend] = await facts.readiness();
    expect(trend?.criteria.find((c) => c.criterion === 'uptime')).toMatchObject({ ok: true, value: 100 });
  });
});
