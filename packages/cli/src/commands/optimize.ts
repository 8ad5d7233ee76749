import { writeFileSync } from 'node:fs';
import {
  assumedRulesWarning,
  expandGrid,
  type GridSpec,
  LOSS_STREAK_VARIANT_NAMES,
  type LossStreakVariant,
  type OptimizeResult,
  runOptimize,
  steppedRange,
} from '@ballast/backtest';
import type { Command } from 'commander';
import { dateFlag } from './date-flag';
import { readJsonFile } from './json-file';
import { positiveInteger } from './positive-integer';
import { progressBar } from './progress-bar';
import { seedFlag } from './seed-flag';
import { timeframeFlag } from './timeframe-flag';

interface OptimizeFlags {
  data: string;
  symbols?: string;
  timeframe: string;
  from: string;
  to: string;
  strategy?: string;
  config?: string;
  exchangeInfo?: string;
  json?: string;
  seed: string;
  stopAtr: string;
  lossStreak: string;
  windows: string;
}

/** `--stop-atr`: a list (`2,2.5,3`) or a range `from:to:step` (`1.5:3.5:0.5`). */
export function parseStopAtr(text: string): number[] {
  const range = /^([\d.]+):([\d.]+):([\d.]+)$/.exec(text.trim());
  const values = range
    ? steppedRange(Number(range[1]), Number(range[2]), Number(range[3]))
    : text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !(v > 0)))
    throw new Error(`--stop-atr: positive numbers like 2,3 or a range like 1.5:3.5:0.5, got ${text}`);
  return values;
}

export function parseGrid(stopAtr: string, lossStreak: string): GridSpec {
  const variants = lossStreak.split(',').map((v) => v.trim()) as LossStreakVariant[];
  const spec = { stopAtr: parseStopAtr(stopAtr), lossStreak: variants };
  expandGrid(spec);
  return spec;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const num = (x: number | null, digits = 2): string => (x === null ? '-' : x.toFixed(digits));

/** The folds as an aligned text table, in the result's order (best out-of-sample expectancy first). */
export function formatOptimizeTable(result: OptimizeResult): string {
  const header = [
    'fold',
    'in-sample',
    'out-of-sample',
    'stop ATR',
    'loss streak',
    'IS exp',
    'IS n',
    'OOS exp',
    'OOS n',
    'OOS sharpe',
    'OOS maxDD%',
  ];
  const rows = result.folds.map((f) => [
    String(f.fold),
    `${day(f.in_sample.from)}..${day(f.in_sample.to)}`,
    `${day(f.out_of_sample.from)}..${day(f.out_of_sample.to)}`,
    String(f.params.stopAtr),
    f.params.lossStreak,
    num(f.is.expectancy),
    String(f.is.trades),
    num(f.oos.expectancy),
    String(f.oos.trades),
    num(f.oos.sharpe),
    num(f.oos.max_drawdown_pct),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const t = result.oos_total;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `out of sample, all folds: ${t.trades} trades, net pnl ${t.net_pnl.toFixed(2)}, expectancy ${t.expectancy.toFixed(2)}`,
  ].join('\n');
}

/** `ballast optimize`: a parameter grid judged walk-forward, in-sample choice against out-of-sample result. */
export function registerOptimizeCommand(program: Command): void {
  program
    .command('optimize')
    .description('walk-forward optimisation: best in-sample expectancy per fold, judged on the next window')
    .requiredOption('--data <files>', 'comma-separated Binance kline CSVs (.csv or .csv.gz)')
    .option('--symbols <list>', 'only these symbols, e.g. BTC-USDT (default: every file)')
    .option('--timeframe <tf>', 'candle timeframe of the files', '1h')
    .requiredOption('--from <date>', 'first candle open time (ISO date or epoch ms)')
    .requiredOption('--to <date>', 'end, exclusive (ISO date or epoch ms)')
    .option('--strategy <name>', 'only this strategy: trend_pullback, bollinger_breakout, mean_reversion')
    .option(
      '--config <file>',
      'base backtest config JSON; the grid overrides its stop and loss-streak settings',
    )
    .option('--stop-atr <grid>', 'stop ATR multiples: a list (2,3) or from:to:step (1.5:3.5:0.5)', '2,3')
    .option(
      '--loss-streak <variants>',
      `loss-streak pause ladders: ${LOSS_STREAK_VARIANT_NAMES.join(', ')}`,
      'default,off',
    )
    .option(
      '--exchange-info <file>',
      'a Binance spot exchangeInfo response (.json or .json.gz): tick, step and minimums per symbol',
    )
    .option('--windows <n>', 'consecutive windows; folds = windows - 1', '4')
    .option('--json <file>', 'write the full result (folds, every grid point per window) as JSON')
    .option('--seed <n>', 'seed for ids and jitter', '1')
    .action(async (flags: OptimizeFlags) => {
      const grid = parseGrid(flags.stopAtr, flags.lossStreak);
      const bar = progressBar('optimize');
      const result = await runOptimize({
        files: flags.data
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== ''),
        timeframe: timeframeFlag(flags.timeframe),
        from: dateFlag(flags.from, 'from'),
        to: dateFlag(flags.to, 'to'),
        seed: seedFlag(flags.seed),
        grid,
        windows: positiveInteger('--windows', flags.windows),
        ...(flags.symbols ? { symbols: flags.symbols.split(',').map((s) => s.trim()) } : {}),
        ...(flags.strategy ? { strategy: flags.strategy } : {}),
        config: {
          ...(flags.config ? (readJsonFile('--config', flags.config) as object) : {}),
          ...(flags.exchangeInfo ? { exchangeInfoFile: flags.exchangeInfo } : {}),
        },
        onProgress: (point, points, done, total) => bar.update((point - 1) * total + done, points * total),
      });
      bar.done();
      const assumed = assumedRulesWarning(result.meta.market_rules);
      if (assumed) console.error(assumed);
      console.log(formatOptimizeTable(result));
      if (flags.json) {
        writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
        console.log(`→ ${flags.json}`);
      }
    });
}
