import type { Candle } from '@ballast/contracts';
import { BacktestError } from './backtest-error';

export interface ReplayStep {
  candle: Candle;
  /** The price orders sent in reaction to this candle fill at: the next bar's open, else this close. */
  quote: number;
  /**
   * False for a symbol's last candle: no later bar exists to fill an entry at, so the runtime takes none
   * (its `quote` is only this close, for marking and the end-of-data close).
   */
  hasNext: boolean;
  /** True for the last candle closing at this instant (the equity curve takes one point per instant). */
  lastAtTime: boolean;
}

/**
 * Orders candles of several symbols as they close (time, then symbol) and pairs each with the price
 * of its market right after it closed: the open of that symbol's next bar. A gap in the data (an
 * exchange outage) means the order waits for trading to resume, at that bar's open.
 */
export function replaySteps(candles: readonly Candle[]): ReplayStep[] {
  const bySymbol = new Map<string, Candle[]>();
  for (const c of candles) {
    const list = bySymbol.get(c.symbol) ?? [];
    list.push(c);
    bySymbol.set(c.symbol, list);
  }
  const steps: Array<Omit<ReplayStep, 'lastAtTime'>> = [];
  for (const list of bySymbol.values()) {
    list.sort((a, b) => a.openTime - b.openTime);
    for (let i = 0; i < list.length; i++) {
      const candle = list[i]!;
      const next = list[i + 1];
      // A bar twice would quote the first copy at its own open: a fill at a price from before its signal.
      if (next?.openTime === candle.openTime)
        throw new BacktestError(
          'bad_input',
          `${candle.symbol}: the bar opening ${new Date(candle.openTime).toISOString()} is given twice`,
        );
      steps.push({ candle, quote: next?.open ?? candle.close, hasNext: next !== undefined });
    }
  }
  steps.sort(
    (a, b) =>
      a.candle.closeTime - b.candle.closeTime ||
      (a.candle.symbol < b.candle.symbol ? -1 : a.candle.symbol > b.candle.symbol ? 1 : 0),
  );
  return steps.map((s, i) => ({ ...s, lastAtTime: steps[i + 1]?.candle.closeTime !== s.candle.closeTime }));
}
