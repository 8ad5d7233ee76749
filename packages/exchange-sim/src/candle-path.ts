import type { Units } from './decimal';

/** A replayed kline, in 1e-8 units. */
export interface CandleBar {
  open: Units;
  high: Units;
  low: Units;
  close: Units;
  volume: Units;
}

/**
 * The prices a candle printed, in the order ADR 14 assumes for a backtest: the open, the extreme
 * nearer the open (the low on a tie), the other extreme, the close. Between two of them the market
 * passed every price in between, so each watched level (`levels`, read again before every print: a
 * triggered stop is no longer one) the path crosses prints on its own, in path order. The same rule as
 * backtest's BarPath, written apart on purpose: the simulator stands in for the exchange and takes no
 * code from the services it tests (it depends on @ballast/contracts alone).
 */
export function walkCandle(
  bar: CandleBar,
  levels: () => readonly Units[],
  print: (price: Units) => void,
): void {
  const highFirst = bar.high - bar.open < bar.open - bar.low;
  const vertices = [highFirst ? bar.high : bar.low, highFirst ? bar.low : bar.high, bar.close];
  let at = bar.open;
  print(at);
  for (const to of vertices) {
    for (let level = nearestBetween(levels(), at, to); level !== undefined; ) {
      at = level;
      print(at);
      level = nearestBetween(levels(), at, to);
    }
    if (to === at) continue;
    at = to;
    print(at);
  }
}

/** The level nearest `from` strictly past it and strictly before `to`, on the way from one to the other. */
function nearestBetween(levels: readonly Units[], from: Units, to: Units): Units | undefined {
  let best: Units | undefined;
  for (const level of levels) {
    const inside = to < from ? level < from && level > to : level > from && level < to;
    const nearer = best === undefined || (to < from ? level > best : level < best);
    if (inside && nearer) best = level;
  }
  return best;
}
