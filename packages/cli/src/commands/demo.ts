import { resolve } from 'node:path';
import { DEMO_FROM, DEMO_TO, findDataDir, runDemo, type SymbolSummary } from '@ballast/backtest';
import type { Command } from 'commander';
import { dateFlag } from './date-flag';
import { progressBar } from './progress-bar';

interface DemoFlags {
  data?: string;
  report: string;
  from?: string;
  to?: string;
}

function table(rows: SymbolSummary[]): string {
  const head = ['symbol', 'trades', 'win rate', 'net pnl', 'realised dd'];
  const cells = rows.map((r) => [
    r.symbol,
    String(r.trades),
    `${(r.win_rate * 100).toFixed(1)}%`,
    r.net_pnl.toFixed(2),
    `${r.realised_dd_pct.toFixed(2)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** `ballast demo`: the whole pipeline offline over a year of recorded BTC, ETH and SOL candles. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'no server, no API key, no network: recorded candles through every service, a report on disk',
    )
    .option('--data <dir>', 'recorded data directory (default: the shared data next to the repository)')
    .option('--report <dir>', 'where to write the report', './reports/demo')
    .option('--from <date>', 'start (ISO date)', new Date(DEMO_FROM).toISOString().slice(0, 10))
    .option('--to <date>', 'end, exclusive (ISO date)', new Date(DEMO_TO).toISOString().slice(0, 10))
    .action(async (flags: DemoFlags) => {
      // A bad date is refused before anything runs: Date.parse read it as NaN and the demo ran on.
      const from = flags.from ? dateFlag(flags.from, 'from') : undefined;
      const to = flags.to ? dateFlag(flags.to, 'to') : undefined;
      const dataDir = flags.data ?? findDataDir();
      if (!dataDir) throw new Error('no recorded data found: pass --data <dir> or set BALLAST_DATA_DIR');
      const bar = progressBar('demo');
      const { result, summaries, reportPath } = await runDemo({
        dataDir,
        reportDir: resolve(flags.report),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.done();
      console.log(table(summaries));
      console.log(
        'realised dd: largest fall of cumulative realised pnl, in % of starting equity; ' +
          `max drawdown of the marked equity curve, in % of its peak: ${result.metrics.max_drawdown_pct.toFixed(2)}%`,
      );
      console.log(`report: ${reportPath}`);
    });
}
