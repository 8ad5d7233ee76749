import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BacktestConfigInput } from './backtest-config';
import type { BacktestResult } from './backtest-result';
import { writeReport } from './report/write-report';
import { loadBacktestCandles, runBacktest } from './run-backtest';
import { type SymbolSummary, symbolSummaries } from './symbol-summary';

export interface DemoOptions {
  /** The recorded data directory (holds binance-spot-ohlcv/ and binance-rest/). */
  dataDir: string;
  symbols?: string[];
  from?: number;
  to?: number;
  reportDir: string;
  seed?: number;
  config?: BacktestConfigInput;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoResult {
  result: BacktestResult;
  summaries: SymbolSummary[];
  reportPath: string;
}

export const DEMO_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
/** The last recorded year of the 1h files. */
export const DEMO_FROM = Date.UTC(2021, 9, 1);
export const DEMO_TO = Date.UTC(2022, 9, 1);

/**
 * The whole pipeline offline: recorded Binance candles through features → strategies → rules agents →
 * risk → orders → stops on MemoryBus, PGlite in memory and the paper venue; a report on disk.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const ohlcv = join(options.dataDir, 'binance-spot-ohlcv');
  const files = (options.symbols ?? DEMO_SYMBOLS).map((s) => join(ohlcv, `${s}-1h.csv.gz`));
  const info = join(options.dataDir, 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz');
  const run = {
    files,
    timeframe: '1h' as const,
    from: options.from ?? DEMO_FROM,
    to: options.to ?? DEMO_TO,
    seed: options.seed ?? 1,
    config: {
      agents: 'rules' as const,
      ...(existsSync(info) ? { exchangeInfoFile: info } : {}),
      ...options.config,
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const result = await runBacktest(run);
  const reportPath = writeReport(options.reportDir, result, loadBacktestCandles(run));
  return { result, summaries: symbolSummaries(result), reportPath };
}

/** `BALLAST_DATA_DIR`, else the `shared/data` directory beside the repository (walking up from `start`). */
export function findDataDir(start = process.cwd()): string | undefined {
  if (process.env.BALLAST_DATA_DIR) return process.env.BALLAST_DATA_DIR;
  let dir = resolve(start);
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, '..', 'shared', 'data');
    if (existsSync(join(candidate, 'binance-spot-ohlcv'))) return resolve(candidate);
    dir = dirname(dir);
  }
  return undefined;
}
