import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BacktestResult, runBacktest } from '@ballast/backtest';
import { VirtualClock } from '@ballast/core';
import { createDb, type DbHandle, migrate, StrategyHourStatsRepository } from '@ballast/db';
import { createTestDatabase, sharedDataDir, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHourStatsTable, readBacktestTrades, seedHourStats } from './hour-stats';

// Real Binance spot 1h candles: binance-spot-ohlcv/BTCUSDT-1h.csv.gz, the year 2021.
const BTC = join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz');

describe('ballast hour-stats --from-backtest against PostgreSQL', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let dir: string;
  let result: BacktestResult;
  const file = () => join(dir, 'out.json');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-hour-stats-'));
    testDb = await createTestDatabase('cli_hour_stats');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    result = await runBacktest({
      files: [BTC],
      timeframe: '1h',
      from: Date.UTC(2021, 0, 1),
      to: Date.UTC(2022, 0, 1),
      seed: 1,
      config: { initialEquity: 10_000 },
    });
    // What `ballast backtest --json` writes.
    writeFileSync(file(), `${JSON.stringify(result, null, 2)}\n`);
  }, 300_000);

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the table with each strategy’s trade count and mean net pnl per UTC entry hour', async () => {
    const repo = new StrategyHourStatsRepository(handle.db);
    await repo.upsertMany([{ strategy: 'gone', hourUtc: 5, trades: 99, expectancy: -1 }], new Date(0));
    const clock = new VirtualClock(Date.UTC(2022, 0, 2));
    const written = await seedHourStats(readBacktestTrades(file()), { db: handle.db, clock });
    expect(await repo.all()).toEqual(written);
    const traded = result.trades.filter((t) => t.strategy !== null);
    expect(traded.length).toBeGreaterThan(5);
    expect(written.reduce((n, s) => n + s.trades, 0)).toBe(traded.length);
    // Every row is the mean of exactly the backtest trades of its strategy entered in its hour.
    for (const row of written) {
      const mine = traded.filter(
        (t) => t.strategy === row.strategy && new Date(t.entry_time).getUTCHours() === row.hourUtc,
      );
      expect(row.trades).toBe(mine.length);
      expect(row.expectancy).toBeCloseTo(mine.reduce((sum, t) => sum + t.pnl, 0) / mine.length, 9);
    }
    const lines = formatHourStatsTable(written).split('\n');
    expect(lines).toHaveLength(written.length + 2);
    expect(lines[0]).toMatch(/^strategy\s+hour \(UTC\)\s+trades\s+expectancy$/);
    const first = written[0]!;
    expect(lines[2]?.split(/\s+/)).toEqual([
      first.strategy,
      String(first.hourUtc),
      String(first.trades),
      first.expectancy.toFixed(4),
    ]);
  });

  it('refuses a file that is not a backtest result, naming it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ trades: [{ pnl: 'x' }] }));
    expect(() => readBacktestTrades(bad)).toThrow(`--from-backtest ${bad}: not a backtest result`);
  });
});
