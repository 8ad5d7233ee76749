import { readFileSync, writeFileSync } from 'node:fs';
import {
  assumedRulesWarning,
  loadBacktestCandles,
  type RunBacktestOptions,
  runBacktest,
  writeReport,
} from '@ballast/backtest';
import { Timeframe } from '@ballast/contracts';
import { DEFAULT_PGLITE_DIR } from '@ballast/db';
import type { Command } from 'commander';
import { readDeployedHourStats } from './hour-stats';
import { progressBar } from './progress-bar';

interface BacktestFlags {
  data: string;
  symbols?: string;
  timeframe: string;
  from?: string;
  to?: string;
  strategy?: string;
  config?: string;
  exchangeInfo?: string;
  hourStatsFromDb?: boolean;
  pgliteDir: string;
  json: string;
  report?: string;
  seed: string;
}

const parseDate = (text: string, flag: string): number => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`--${flag}: not a date or epoch ms: ${text}`);
  return ms;
};

/** `--config` with `--exchange-info` and `--hour-stats-from-db` on top; the flag never silently replaces the file's rows. */
async function backtestConfig(flags: BacktestFlags): Promise<object> {
  const given = flags.config ? (JSON.parse(readFileSync(flags.config, 'utf8')) as object) : {};
  if (flags.hourStatsFromDb && 'hourStats' in given)
    throw new Error(`--hour-stats-from-db and hourStats in --config ${flags.config}: give one`);
  return {
    ...given,
    ...(flags.exchangeInfo ? { exchangeInfoFile: flags.exchangeInfo } : {}),
    ...(flags.hourStatsFromDb
      ? { hourStats: await readDeployedHourStats(flags.pgliteDir, console.log) }
      : {}),
  };
}

/** `ballast backtest`: recorded candles through the services on a virtual clock; JSON and an HTML report. */
export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('replay Binance kline CSVs through the live service handlers on a virtual clock')
    .requiredOption(
      '--data <files>',
      'comma-separated Binance kline CSVs (.csv or .csv.gz), e.g. BTCUSDT-1h.csv.gz',
    )
    .option('--symbols <list>', 'only these symbols, e.g. BTC-USDT,ETH-USDT (default: every file)')
    .option('--timeframe <tf>', 'candle timeframe of the files', '1h')
    .option('--from <date>', 'first candle open time (ISO date or epoch ms)')
    .option('--to <date>', 'end, exclusive (ISO date or epoch ms)')
    .option('--strategy <name>', 'only this strategy: trend_pullback, bollinger_breakout, mean_reversion')
    .option('--config <file>', 'backtest config JSON (fees, slippage, strategies, risk limits, stops)')
    .option(
      '--exchange-info <file>',
      'a Binance spot exchangeInfo response (.json or .json.gz): tick, step and minimums per symbol',
    )
    .option(
      '--hour-stats-from-db',
      "start from the deployment's hour expectancy table (strategy_hour_stats at DATABASE_URL, else --pglite-dir), as live's hour veto does",
    )
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .requiredOption('--json <file>', 'where to write the result JSON')
    .option('--report <dir>', 'write an HTML report into this directory')
    .option('--seed <n>', 'seed for ids and jitter', '1')
    .action(async (flags: BacktestFlags) => {
      const timeframe = Timeframe.parse(flags.timeframe);
      const options: RunBacktestOptions = {
        files: flags.data
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== ''),
        timeframe,
        seed: Number.parseInt(flags.seed, 10),
        ...(flags.symbols ? { symbols: flags.symbols.split(',').map((s) => s.trim()) } : {}),
        ...(flags.from ? { from: parseDate(flags.from, 'from') } : {}),
        ...(flags.to ? { to: parseDate(flags.to, 'to') } : {}),
        ...(flags.strategy ? { strategy: flags.strategy } : {}),
        config: await backtestConfig(flags),
      };
      const bar = progressBar('backtest');
      const result = await runBacktest({ ...options, onProgress: (d, t) => bar.update(d, t) });
      bar.done();
      const assumed = assumedRulesWarning(result.meta.market_rules);
      if (assumed) console.error(assumed);
      writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
      const m = result.metrics;
      console.log(
        `${m.trades} trades, net pnl ${m.net_pnl.toFixed(2)}, return ${m.return_pct.toFixed(2)}%, ` +
          `max drawdown ${m.max_drawdown_pct.toFixed(2)}%, win rate ${(m.win_rate * 100).toFixed(1)}% → ${flags.json}`,
      );
      if (flags.report)
        console.log(`report: ${writeReport(flags.report, result, loadBacktestCandles(options))}`);
    });
}
