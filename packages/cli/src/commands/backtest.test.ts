import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BacktestResult, runBacktest } from '@ballast/backtest';
import type { SignalDecision } from '@ballast/contracts';
import { createDb, migrate, SignalDecisionRepository, StrategyHourStatsRepository } from '@ballast/db';
import { candleWindowDir, createTestDatabase, RECORDED_BTCUSDT_RULES, sharedDataDir } from '@ballast/testkit';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommand } from './backtest';
import { readDeployedHourStats } from './hour-stats';

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

/** As `backtest`, with what it printed to stdout. */
async function backtestPrinting(
  extra: string[],
  json: string,
): Promise<{ result: BacktestResult; stdout: string }> {
  const lines: string[] = [];
  const { result } = await backtest(extra, json);
  for (const call of vi.mocked(console.log).mock.calls) lines.push(String(call[0]));
  return { result, stdout: lines.join('\n') };
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
    // Every filter the recording sets, maximums and percent band included.
    expect(result.meta.market_rules['BTC-USDT']).toEqual({
      ...RECORDED_BTCUSDT_RULES,
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

describe('ballast backtest --hour-stats-from-db', () => {
  it('starts from the deployment’s hour expectancy table: its losing hours veto the run’s entries', {
    timeout: 120_000,
  }, async () => {
    const testDb = await createTestDatabase('cli_backtest_hour_stats');
    try {
      const handle = await createDb({ url: testDb.url, poolSize: 1 });
      try {
        await migrate(handle.db);
        // trend_pullback lost money over 30 trades in every UTC hour, as a live table could say.
        const losing = Array.from({ length: 24 }, (_, hourUtc) => ({
          strategy: 'trend_pullback',
          hourUtc,
          trades: 30,
          expectancy: -1,
        }));
        await new StrategyHourStatsRepository(handle.db).replaceAll(losing, new Date(0));
      } finally {
        await handle.db.destroy();
      }
      vi.stubEnv('DATABASE_URL', testDb.url);
      const { result } = await backtest(['--hour-stats-from-db'], join(dir, 'hour-stats.json'));
      const trendPullback = result.decisions.filter((d) => d.strategy === 'trend_pullback');
      expect(trendPullback.some((d) => d.outcome === 'veto:negative_hour_expectancy')).toBe(true);
      expect(trendPullback.filter((d) => d.outcome === 'approved')).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      await testDb.drop();
    }
  });
});

describe('ballast backtest --hour-stats-from-db, what it read', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('prints the rows and strategies read, and refuses an empty table: the run would be the default one', {
    timeout: 60_000,
  }, async () => {
    const testDb = await createTestDatabase('cli_backtest_hour_stats_read');
    try {
      const handle = await createDb({ url: testDb.url, poolSize: 1 });
      try {
        await migrate(handle.db);
        vi.stubEnv('DATABASE_URL', testDb.url);
        await expect(backtest(['--hour-stats-from-db'], join(dir, 'empty.json'))).rejects.toThrow(
          /--hour-stats-from-db: strategy_hour_stats at postgres:.* is empty; the run would be the default one/,
        );
        const rows = [0, 1].map((hourUtc) => ({
          strategy: 'mean_reversion',
          hourUtc,
          trades: 30,
          expectancy: -1,
        }));
        await new StrategyHourStatsRepository(handle.db).replaceAll(rows, new Date(0));
      } finally {
        await handle.db.destroy();
      }
      const lines: string[] = [];
      expect(await readDeployedHourStats(join(dir, 'unused'), (l) => lines.push(l))).toHaveLength(2);
      expect(lines).toEqual([
        expect.stringMatching(/^hour stats: 2 rows for 1 strategies \(mean_reversion\) from postgres:/),
      ]);
    } finally {
      await testDb.drop();
    }
  });

  it('without DATABASE_URL, refuses a --pglite-dir holding no database rather than create one there', async () => {
    vi.stubEnv('DATABASE_URL', '');
    const missing = join(dir, 'no-such-pglite');
    await expect(
      backtest(['--hour-stats-from-db', '--pglite-dir', missing], join(dir, 'no-db.json')),
    ).rejects.toThrow(`--hour-stats-from-db: DATABASE_URL is unset and ${missing} holds no PGlite database`);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses the flag together with hourStats in --config, which it would replace unsaid', async () => {
    const config = join(dir, 'hours.json');
    writeFileSync(config, '{"hourStats":[]}');
    await expect(
      backtest(['--hour-stats-from-db', '--config', config], join(dir, 'both.json')),
    ).rejects.toThrow(`--hour-stats-from-db and hourStats in --config ${config}: give one`);
  });
});

describe('ballast backtest --agents recorded', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("replays the deployment's kept decisions read only, and says how many candidates had none", {
    timeout: 180_000,
  }, async () => {
    // What the signals service decided for each BTC candidate of January 2021, had its reviewer model
    // said no to every one; one candidate it never decided.
    const decided: SignalDecision[] = [];
    await runBacktest({
      files: [data],
      timeframe: '1h',
      from: Date.UTC(2021, 0, 1),
      to: Date.UTC(2021, 1, 1),
      seed: 1,
      onSignalDecision: (d) => void decided.push(d),
    });
    expect(decided.filter((d) => d.approved).length).toBeGreaterThan(0);
    const [never, ...kept] = decided;
    const testDb = await createTestDatabase('cli_backtest_recorded');
    try {
      const handle = await createDb({ url: testDb.url, poolSize: 1 });
      const stored = () =>
        handle.db.selectFrom('signal_decisions').select(['candidate_id', 'decision', 'decided_at']).execute();
      try {
        await migrate(handle.db);
        vi.stubEnv('DATABASE_URL', testDb.url);
        await expect(
          backtest(['--agents', 'recorded', '--to', '2021-02-01'], join(dir, 'none-kept.json')),
        ).rejects.toThrow(
          /--agents recorded: signal_decisions at postgres:.* holds no decision from 2021-01-01T00:00:00.000Z on/,
        );
        const repo = new SignalDecisionRepository(handle.db);
        for (const d of kept)
          await repo.keepFirst(
            d.candidate.id,
            { ...d, approved: false, sizeMultiplier: 0 },
            Date.UTC(2021, 0, 2),
          );
        const before = await stored();
        const { result, stdout } = await backtestPrinting(
          ['--agents', 'recorded', '--to', '2021-02-01'],
          join(dir, 'recorded.json'),
        );
        expect(result.trades).toEqual([]);
        expect(result.meta.recorded_verdicts).toEqual({
          rows: kept.length,
          unreadable: 0,
          hits: kept.length,
          approved: 0,
          misses: 1,
          candidate_differs: 0,
        });
        expect(result.decisions.find((d) => d.candidate_id === never?.candidate.id)?.outcome).toBe(
          'no_recorded_verdict',
        );
        expect(stdout).toContain(`recorded decisions: ${kept.length} from postgres:`);
        expect(stdout).toContain(
          `recorded verdicts: ${kept.length} of ${decided.length} candidates replayed (0 approved); 1 without one, rejected as no_recorded_verdict`,
        );
        expect(await stored()).toEqual(before);
      } finally {
        await handle.db.destroy();
      }
    } finally {
      await testDb.drop();
    }
  });

  it('refuses an unknown mode, and a mode other than the one --config names', async () => {
    await expect(backtest(['--agents', 'llm'], join(dir, 'llm.json'))).rejects.toThrow(
      '--agents: one of none, rules, recorded, got llm',
    );
    const config = join(dir, 'agents-none.json');
    writeFileSync(config, '{"agents":"none"}');
    await expect(
      backtest(['--agents', 'recorded', '--config', config], join(dir, 'agents-both.json')),
    ).rejects.toThrow(`--agents recorded and agents none in --config ${config}: give one`);
  });

  it('without DATABASE_URL, refuses a --pglite-dir holding no database rather than create one there', async () => {
    vi.stubEnv('DATABASE_URL', '');
    const missing = join(dir, 'no-such-pglite-recorded');
    await expect(
      backtest(['--agents', 'recorded', '--pglite-dir', missing], join(dir, 'no-db-recorded.json')),
    ).rejects.toThrow(`--agents recorded: DATABASE_URL is unset and ${missing} holds no PGlite database`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('ballast backtest refusals that name what to change', () => {
  it('names the flag of a bad timeframe or seed, and the choices', async () => {
    await expect(backtest(['--timeframe', '7m'], join(dir, 'tf.json'))).rejects.toThrow(
      '--timeframe: one of 1m, 5m, 15m, 1h, 4h, 1d, got 7m',
    );
    // parseInt read 1.5 as seed 1 and abc as NaN.
    await expect(backtest(['--seed', '1.5'], join(dir, 'seed.json'))).rejects.toThrow(
      '--seed: a whole number, got 1.5',
    );
    await expect(backtest(['--seed', 'abc'], join(dir, 'seed.json'))).rejects.toThrow(
      '--seed: a whole number, got abc',
    );
  });

  it('names the --config file it cannot read or parse', async () => {
    const missing = join(dir, 'no-such-config.json');
    await expect(backtest(['--config', missing], join(dir, 'nocfg.json'))).rejects.toThrow(
      `--config ${missing}: cannot read it (ENOENT`,
    );
    const broken = join(dir, 'broken-config.json');
    writeFileSync(broken, '{"slippageBps": 5,');
    await expect(backtest(['--config', broken], join(dir, 'badcfg.json'))).rejects.toThrow(
      `--config ${broken}: not valid JSON (`,
    );
  });

  it('refuses a symbol no file holds, naming what the files hold', async () => {
    await expect(backtest(['--symbols', 'BTC/USDT'], join(dir, 'sym.json'))).rejects.toThrow(
      'no file holds BTC/USDT: the files hold BTC-USDT (symbols are written BTC-USDT)',
    );
  });

  it('refuses a range that ends before it starts, and says where the data is when a range holds none', async () => {
    await expect(
      backtest(['--from', '2021-03-01', '--to', '2021-02-01'], join(dir, 'backwards.json')),
    ).rejects.toThrow('the range is empty: to 2021-02-01 00:00 is not after from 2021-03-01 00:00');
    // The recorded file ends on 2022-10-11; a run asked for 2024 names its span.
    await expect(
      backtest(['--from', '2024-01-01', '--to', '2024-02-01'], join(dir, 'after.json')),
    ).rejects.toThrow(
      'no candles in the selected files, symbols and range; the files hold BTC-USDT 2017-08-17 04:00 to 2022-10-11 10:00 (bar open times)',
    );
  });
});

describe('ballast backtest over candle files that overlap', () => {
  it('prints the refusal, naming the files and the first bar they both hold, and exits 1', async () => {
    // A window of the recorded file (December 2021), as a monthly download beside the yearly one.
    const window = candleWindowDir(
      'binance-spot-ohlcv/BTCUSDT-1h.csv.gz',
      Date.UTC(2021, 11, 1),
      Date.UTC(2022, 0, 1),
    );
    const monthly = join(window.dir, window.file);
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const args = ['backtest', '--data', `${data},${monthly}`, '--from', '2021-10-01', '--to', '2022-01-01'];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, ...args, '--json', join(dir, 'overlap.json')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, 'exit');
    rmSync(window.dir, { recursive: true, force: true });
    expect(stderr).toContain(
      'ballast: the candle files overlap: BTC-USDT: the bar opening 2021-12-01T00:00:00.000Z ' +
        `(${Date.UTC(2021, 11, 1)}) is in ${data} and in ${monthly} (744 repeated bars)`,
    );
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'overlap.json'))).toBe(false);
  }, 60_000);
});
