import type { Candle } from '@ballast/contracts';
import { BacktestError } from './backtest-error';

/** One file's candles, as loaded. */
export interface LoadedFile {
  path: string;
  candles: readonly Candle[];
}

interface Repeat {
  symbol: string;
  openTime: number;
  first: string;
  second: string;
  count: number;
}

/**
 * Refuses candle files that hold a symbol's bar more than once (the same file twice, a yearly and a
 * monthly download that overlap): each file is checked for order on its own, and a bar replayed twice
 * gives the first copy its own open as the next bar's, so entries filled at a price from before their
 * signal (look-ahead). Names the symbol, the earliest repeated open time and the two files holding it.
 */
export function refuseRepeatedBars(files: readonly LoadedFile[]): void {
  const seen = new Map<string, Map<number, string>>();
  const repeats = new Map<string, Repeat>();
  for (const { path, candles } of files) {
    for (const c of candles) {
      const times = seen.get(c.symbol) ?? new Map<number, string>();
      seen.set(c.symbol, times);
      const holder = times.get(c.openTime);
      if (holder === undefined) times.set(c.openTime, path);
      else
        noteRepeat(repeats, {
          symbol: c.symbol,
          openTime: c.openTime,
          first: holder,
          second: path,
          count: 1,
        });
    }
  }
  if (repeats.size === 0) return;
  const lines = [...repeats.values()]
    .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))
    .map(
      (r) =>
        `${r.symbol}: the bar opening ${new Date(r.openTime).toISOString()} (${r.openTime}) is in ${r.first} and in ${r.second}` +
        ` (${r.count} repeated bar${r.count === 1 ? '' : 's'})`,
    );
  throw new BacktestError(
    'bad_input',
    `the candle files overlap: ${lines.join('; ')}; a run replays each bar once: drop the overlapping file or trim its range`,
  );
}

/** Keeps, per symbol, the earliest repeat and how many there are. */
function noteRepeat(repeats: Map<string, Repeat>, repeat: Repeat): void {
  const known = repeats.get(repeat.symbol);
  if (!known) repeats.set(repeat.symbol, repeat);
  else if (repeat.openTime < known.openTime)
    repeats.set(repeat.symbol, { ...repeat, count: known.count + 1 });
  else known.count++;
}
