import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedDataDir } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCandleFile } from './load-candles';

// Real Binance spot 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz): its header and first 50 rows.
const real = gunzipSync(readFileSync(join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz')))
  .toString('utf8')
  .split('\n')
  .slice(0, 51);
const dir = mkdtempSync(join(tmpdir(), 'ballast-load-candles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCandleFile', () => {
  it('names a bad row by its line in the file when a range was asked for, not by its place in the range', () => {
    const lines = [...real];
    lines[40] = lines[40]!.replace(/,[^,]+,/, ',not-a-price,');
    const path = join(dir, 'BTCUSDT-1h.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const from = Number(lines[30]!.split(',')[0]);
    expect(() => loadCandleFile({ path }, { exchange: 'binance', timeframe: '1h', from })).toThrow(
      `${path}: 1 bad rows, first at line 41`,
    );
  });

  it('reports a file that is not there as unreadable, whatever its name says', () => {
    const path = join(dir, 'btc-hourly.csv');
    expect(() => loadCandleFile({ path }, { exchange: 'binance', timeframe: '1h' })).toThrow(
      `cannot read ${path}: ENOENT`,
    );
  });

  it('reports a truncated .gz as bad input that names the file, not as a bare zlib error', () => {
    const whole = readFileSync(join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz'));
    const path = join(dir, 'BTCUSDT-1h.csv.gz');
    writeFileSync(path, whole.subarray(0, 1000));
    let caught: unknown;
    try {
      loadCandleFile({ path }, { exchange: 'binance', timeframe: '1h' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'BacktestError', reason: 'bad_input' });
    expect((caught as Error).message).toContain(`cannot unzip ${path}:`);
  });
});
