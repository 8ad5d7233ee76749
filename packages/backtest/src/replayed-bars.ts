import type { Candle } from '@ballast/contracts';
import { type RecentBars, recentBarsWindow } from '@ballast/stops-service';

/**
 * The bars a run's markets have closed, per symbol: its history and every candle stepped since, as live's
 * candles table holds them (market-data stores each candle before it publishes it). The stops service's
 * trailing ATR warms from them (`recent`) as it reads that table live, so it trails by the ATR of the
 * same bars: the table holds only the history in a run.
 */
export class ReplayedBars {
  private readonly bySymbol = new Map<string, Candle[]>();

  constructor(history: readonly Candle[]) {
    for (const candle of [...history].sort((a, b) => a.openTime - b.openTime)) this.add(candle);
  }

  /** A candle about to be published; older than the symbol's newest (a repeat) it is left out. */
  add(candle: Candle): void {
    const list = this.bySymbol.get(candle.symbol);
    if (!list) this.bySymbol.set(candle.symbol, [candle]);
    else if (candle.openTime > list.at(-1)!.openTime) list.push(candle);
  }

  readonly recent: RecentBars = async (query) => {
    const list = (this.bySymbol.get(query.symbol) ?? []).filter((c) => c.timeframe === query.timeframe);
    const newest = list.at(-1);
    if (!newest) return [];
    const { fromOpenTime, toOpenTime } = recentBarsWindow(query, newest.openTime);
    return list.filter((c) => c.openTime >= fromOpenTime && c.openTime < toOpenTime).slice(-query.bars);
  };
}
