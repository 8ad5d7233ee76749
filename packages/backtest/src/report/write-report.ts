import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle } from '@ballast/contracts';
import type { BacktestResult } from '../backtest-result';
import { symbolSummaries } from '../symbol-summary';
import { reportHtml } from './report-html';

const CHART_JS = 'lightweight-charts.standalone.production.js';

/** Writes `index.html`, `result.json` and the chart library into `dir`; the page works offline. */
export function writeReport(dir: string, result: BacktestResult, candles: readonly Candle[]): string {
  mkdirSync(dir, { recursive: true });
  // The package exports ESM only; its dist folder also holds the standalone browser build.
  const chartDist = dirname(fileURLToPath(import.meta.resolve('lightweight-charts')));
  copyFileSync(join(chartDist, CHART_JS), join(dir, CHART_JS));
  const bySymbol: Record<string, Array<[number, number, number, number, number]>> = {};
  for (const c of candles) {
    const rows = bySymbol[c.symbol] ?? [];
    rows.push([c.openTime, c.open, c.high, c.low, c.close]);
    bySymbol[c.symbol] = rows;
  }
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2));
  const page = reportHtml({
    result,
    candles: bySymbol,
    summaries: symbolSummaries(result),
    chartScript: CHART_JS,
  });
  const path = join(dir, 'index.html');
  writeFileSync(path, page);
  return path;
}
