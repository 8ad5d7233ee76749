import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, readDataFile, sharedDataDir, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCandlesCsv } from './import';

// Imports binance-spot-ohlcv/SOLUSDT-4h.csv (plain) and binance-spot-ohlcv/BNBUSDT-1h.csv.gz (gzipped).
let database: TestDatabase;
let handle: DbHandle;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase('cli_import');
  handle = await createDb({ url: database.url, poolSize: 2 });
  await migrate(handle.db);
  dir = await mkdtemp(join(tmpdir(), 'ballast-import-'));
});

afterAll(async () => {
  await handle.db.destroy();
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

const rowsIn = (file: string) =>
  readDataFile(file)
    .split('\n')
    .filter((l) => l.trim() !== '').length - 1;

describe('importCandlesCsv', () => {
  it('imports every row of a real CSV, and importing it twice leaves the same row count', async () => {
    const file = 'binance-spot-ohlcv/SOLUSDT-4h.csv';
    const request = {
      file: join(sharedDataDir(), file),
      exchange: 'binance',
      symbol: 'SOL-USDT',
      timeframe: '4h' as const,
    };
    const first = await importCandlesCsv(request, handle.db);
    expect(first).toEqual({ stored: rowsIn(file), errors: [] });
    await importCandlesCsv(request, handle.db);
    const count = await new CandleRepository(handle.db).count({
      exchange: 'binance',
      symbol: 'SOL-USDT',
      timeframe: '4h',
    });
    expect(count).toBe(rowsIn(file));
  });

  it('reads gzipped files', async () => {
    const file = 'binance-spot-ohlcv/BNBUSDT-1h.csv.gz';
    const request = {
      file: join(sharedDataDir(), file),
      exchange: 'binance',
      symbol: 'BNB-USDT',
      timeframe: '1h' as const,
    };
    expect(await importCandlesCsv(request, handle.db)).toEqual({ stored: rowsIn(file), errors: [] });
  });

  it('reports bad rows with their line numbers and imports the good ones', async () => {
    const lines = readDataFile('binance-spot-ohlcv/SOLUSDT-4h.csv').split('\n').slice(0, 6);
    // Line 3: high and low swapped; line 5: a price that is not a number.
    const cells3 = (lines[2] as string).split(',');
    [cells3[2], cells3[3]] = [cells3[3] as string, cells3[2] as string];
    lines[2] = cells3.join(',');
    lines[4] = (lines[4] as string).replace(/^(\d+),[^,]+/, '$1,abc');
    const path = join(dir, 'edited.csv');
    await writeFile(path, `${lines.join('\n')}\n`);
    const result = await importCandlesCsv(
      { file: path, exchange: 'test', symbol: 'SOL-USDT', timeframe: '4h' },
      handle.db,
    );
    expect(result.stored).toBe(3);
    expect(result.errors.map((e) => [e.line, e.reason])).toEqual([
      [3, 'invalid_candle'],
      [5, 'not_a_number'],
    ]);
  });
});
