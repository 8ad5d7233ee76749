import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readDataFile, sharedDataDir } from './data';

export interface CandleWindow {
  /** The data directory to hand to the exchange simulator; remove it when done. */
  readonly dir: string;
  /** The window's candle file, relative to `dir` (the recorded path without `.gz`). */
  readonly file: string;
}

/**
 * A simulator data directory holding only the candles of a recorded kline CSV that open in
 * [from, to), beside the recorded REST responses: the simulator's REST shows no history before the
 * window and replays nothing after it.
 */
export function candleWindowDir(csv: string, from: number, to: number): CandleWindow {
  const { dir, files } = candleWindowsDir([csv], from, to);
  return { dir, file: files[0]! };
}

/** `candleWindowDir` for several recorded CSVs (a universe of symbols) in one directory. */
export function candleWindowsDir(
  csvs: readonly string[],
  from: number,
  to: number,
): { readonly dir: string; readonly files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-window-'));
  symlinkSync(join(sharedDataDir(), 'binance-rest'), join(dir, 'binance-rest'));
  const files = csvs.map((csv) => {
    const file = join(dirname(csv), basename(csv, '.gz'));
    mkdirSync(join(dir, dirname(csv)), { recursive: true });
    const [header, ...rows] = readDataFile(csv).split('\n');
    const kept = rows.filter((r) => {
      const open = Number(r.split(',')[0]);
      return open >= from && open < to;
    });
    writeFileSync(join(dir, file), `${[header, ...kept].join('\n')}\n`);
    return file;
  });
  return { dir, files };
}
