import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestResult } from '@ballast/backtest';
import { sharedDataDir } from '@ballast/testkit';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommand } from './backtest';

const dir = mkdtempSync(join(tmpdir(), 'ballast-backtest-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

// Real Binance BTCUSDT 1h candles, January and February 2021, and the recorded spot exchangeInfo
// (BTCUSDT: tick 0.01, step 0.00001, minimum notional 10).
const data = join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz');
const exchangeInfo = join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz');
const STEP = 0.00001;

async function backtest(extra: string[], json: string): Promise<{ result: BacktestResult; stderr: string }> {
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const program = new Command().exitOverride();
  registerBacktestCommand(program);
  const args = ['backtest', '--data', data, '--from', '2021-01-01', '--to', '2021-03-01', '--json', json];
  await program.parseAsync([...args, ...extra], { from: 'user' });
  return {
    result: JSON.parse(readFileSync(join(json), 'utf8')) as BacktestResult,
    stderr: errors.join('\n'),
  };
}

const onStep = (qty: number) => Math.abs(qty / STEP - Math.round(qty / STEP)) < 1e-6;

describe('ballast backtest market rules', () => {
  it('rounds orders with the venue rules from --exchange-info and names them in the result', {
    timeout: 120_000,
  }, async () => {
    const { result, stderr } = await backtest(
      ['--exchange-info', exchangeInfo],
      join(dir, 'with-rules.json'),
    );
    expect(result.meta.market_rules['BTC-USDT']).toEqual({
      tickSize: 0.01,
      stepSize: STEP,
      minQty: STEP,
      minNotional: 10,
      source: 'exchange_info',
    });
    expect(result.trades.length).toBeGreaterThan(0);
    expect(result.trades.filter((t) => !onStep(t.qty))).toEqual([]);
    expect(stderr).not.toContain('warning');
  });

  it('warns, naming the symbol, when no rules were given and finer ones were assumed', {
    timeout: 120_000,
  }, async () => {
    const { result, stderr } = await backtest([], join(dir, 'assumed.json'));
    expect(result.meta.market_rules['BTC-USDT']).toMatchObject({ stepSize: 1e-8, source: 'assumed' });
    expect(stderr).toContain('warning: no market rules for BTC-USDT: tick 1e-8, step 1e-8');
    expect(stderr).toContain('--exchange-info FILE');
    // What the warning is about: quantities the venue would have refused or rounded.
    expect(result.trades.some((t) => !onStep(t.qty))).toBe(true);
  });
});
