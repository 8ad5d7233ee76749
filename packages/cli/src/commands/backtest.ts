import { writeFileSync } from 'node:fs';
import {
  AgentsMode,
  assumedRulesWarning,
  type BacktestConfigInput,
  loadBacktestCandles,
  type RunBacktestOptions,
  runBacktest,
  writeReport,
} from '@ballast/backtest';
import { DEFAULT_PGLITE_DIR } from '@ballast/db';
import type { Command } from 'commander';
import { dateFlag } from './date-flag';
import { readDeployedHourStats } from './hour-stats';
import { readJsonFile } from './json-file';
import { progressBar } from './progress-bar';
import { readRecordedDecisions, replayedLine } from './recorded-decisions';
import { seedFlag } from './seed-flag';
import { timeframeFlag } from './timeframe-flag';

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
  agents?: string;
  pgliteDir: string;
  json: string;
  report?: string;
  seed: string;
}

function agentsMode(text: string): AgentsMode {
  const parsed = AgentsMode.safeParse(text);
  if (!parsed.success) throw new Error(`--agents: one of ${AgentsMode.options.join(', ')}, got ${text}`);
  return parsed.data;
}

/** `--config` with `--exchange-info`, `--agents` and `--hour-stats-from-db` on top; a flag never silently replaces the file's setting. */
async function backtestConfig(flags: BacktestFlags): Promise<BacktestConfigInput> {
  const given = flags.config ? (readJsonFile('--config', flags.config) as BacktestConfigInput) : {};
  if (flags.hourStatsFromDb && 'hourStats' in given)
    throw new Error(`--hour-stats-from-db and hourStats in --config ${flags.config}: give one`);
  const agents = flags.agents === undefined ? undefined : agentsMode(flags.agents);
  if (agents && given.agents !== undefined && given.agents !== agents)
    throw new Error(`--agents ${agents} and agents ${given.agents} in --config ${flags.config}: give one`);
  return {
    ...given,
    ...(agents ? { agents } : {}),
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
      '--agents <mode>',
      'who decides the candidates that pass the vetoes: rules (the offline analyst and reviewer), none, or recorded (the decisions the signals service kept in signal_decisions at DATABASE_URL, else --pglite-dir; read only)',
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
      const timeframe = timeframeFlag(flags.timeframe);
      const from = flags.from ? dateFlag(flags.from, 'from') : undefined;
      const config = await backtestConfig(flags);
      const options: RunBacktestOptions = {
        files: flags.data
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== ''),
        timeframe,
        seed: seedFlag(flags.seed),
        ...(flags.symbols ? { symbols: flags.symbols.split(',').map((s) => s.trim()) } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(flags.to ? { to: dateFlag(flags.to, 'to') } : {}),
        ...(flags.strategy ? { strategy: flags.strategy } : {}),
        config,
        ...(config.agents === 'recorded'
          ? { recordedDecisions: await readRecordedDecisions(flags.pgliteDir, from ?? 0, console.log) }
          : {}),
      };
      const bar = progressBar('backtest');
      const result = await runBacktest({ ...options, onProgress: (d, t) => bar.update(d, t) });
      bar.done();
      const assumed = assumedRulesWarning(result.meta.market_rules);
      if (assumed) console.error(assumed);
      if (result.meta.recorded_verdicts) console.log(replayedLine(result.meta.recorded_verdicts));
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
