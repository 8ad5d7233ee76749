import type { Candle, Trade } from '@ballast/contracts';
import type { StopRecord } from '@ballast/stops-service';

/** One price a bar is replayed as printing, at a time inside the bar. */
export interface PathPrint {
  price: number;
  time: number;
  /** Taker side of the print: `sell` while the path falls, `buy` while it rises (the open is `buy`). */
  side: 'buy' | 'sell';
}

/**
 * The prices a bar printed, in the order a replay assumes: the open, the extreme nearer the open, the
 * other extreme, the close (the nearer extreme first, as Nautilus Trader's bar execution assumes), the
 * four spread evenly over the bar. Between two of them the market passed every price in between: a
 * level watched there (a stop, a take-profit) prints on its own, in path order, so a stop crossed inside
 * a bar fills at its price, or at the open when the bar opened past it, as an exchange fills it.
 */
export class BarPath {
  private readonly vertices: ReadonlyArray<{ price: number; time: number }>;
  /** Index of the vertex the path is heading to; 0 until the open printed. */
  private heading = 0;
  private price: number;

  constructor(readonly candle: Candle) {
    const { open, high, low, close, openTime, closeTime } = candle;
    const highFirst = high - open < open - low;
    const span = closeTime - openTime;
    const at = (k: number) => openTime + Math.floor((span * k) / 3);
    this.vertices = [
      { price: open, time: openTime },
      { price: highFirst ? high : low, time: at(1) },
      { price: highFirst ? low : high, time: at(2) },
      { price: close, time: closeTime },
    ];
    this.price = open;
  }

  /** When the next print would be, given the levels watched now; undefined once the close printed. */
  peekTime(levels: readonly number[]): number | undefined {
    return this.upcoming(levels)?.time;
  }

  /** The next print, given the levels watched now (they move as stops trail and take-profits fill). */
  next(levels: readonly number[]): PathPrint | undefined {
    const print = this.upcoming(levels);
    if (!print) return undefined;
    if (print.reachesVertex) this.heading++;
    this.price = print.price;
    return { price: print.price, time: print.time, side: print.side };
  }

  private upcoming(levels: readonly number[]): (PathPrint & { reachesVertex: boolean }) | undefined {
    if (this.heading === 0) return { ...this.vertices[0]!, side: 'buy', reachesVertex: true };
    const from = this.vertices[this.heading - 1];
    const to = this.vertices[this.heading];
    if (!from || !to) return undefined;
    const falling = to.price < this.price;
    const side = falling ? 'sell' : 'buy';
    const level = nearestBetween(levels, this.price, to.price);
    if (level === undefined) return { ...to, side, reachesVertex: true };
    // The level prints where the leg's time and price meet (a straight line from vertex to vertex).
    const moved = Math.abs(level - from.price) / Math.abs(to.price - from.price);
    return {
      price: level,
      time: from.time + Math.floor((to.time - from.time) * moved),
      side,
      reachesVertex: false,
    };
  }
}

/** The level nearest `from` strictly past it and strictly before `to`, on the way from one to the other. */
function nearestBetween(levels: readonly number[], from: number, to: number): number | undefined {
  let best: number | undefined;
  for (const level of levels) {
    const inside = to < from ? level < from && level > to : level > from && level < to;
    if (inside && (best === undefined || Math.abs(level - from) < Math.abs(best - from))) best = level;
  }
  return best;
}

/**
 * The prices the stops service acts on for `symbol`: each open position's stop and its next
 * take-profit level (none while a take-profit is on its way or the position is being closed).
 */
export function watchedLevels(records: readonly StopRecord[], symbol: string): number[] {
  const levels: number[] = [];
  for (const r of records) {
    if (r.symbol !== symbol || r.qty <= 0 || r.closing) continue;
    levels.push(r.stopPrice);
    const next = r.ladder.levels[r.ladder.taken];
    if (next !== undefined && !r.takeProfit) levels.push(next);
  }
  return levels;
}

/**
 * A print as market-data publishes a trade (md.trade), numbered by the caller. Its size is the bar's
 * volume spread over its four vertices: klines record no more than that.
 */
export function pathTrade(exchange: string, candle: Candle, p: PathPrint, n: number): Trade {
  return {
    exchange,
    symbol: candle.symbol,
    tradeId: `path-${n}`,
    price: p.price,
    size: candle.volume > 0 ? candle.volume / 4 : 1e-8,
    side: p.side,
    time: p.time,
  };
}

/** A bar whose path is replayed, with the levels watched on its market now. */
export interface PathReplay {
  path: BarPath;
  levels: () => Promise<readonly number[]>;
}

/**
 * Prints the paths of bars closing at the same instant, merged in time order (a print on one market may
 * be followed by one on another before the first's next), each print handed to `print` and awaited: the
 * services react to it (a stop triggers, its close fills) before the next print is chosen.
 */
export async function replayPaths(
  replays: readonly PathReplay[],
  print: (candle: Candle, p: PathPrint) => Promise<void>,
): Promise<void> {
  for (;;) {
    let soonest: { replay: PathReplay; levels: readonly number[]; time: number } | undefined;
    for (const replay of replays) {
      const levels = await replay.levels();
      const time = replay.path.peekTime(levels);
      if (time !== undefined && (!soonest || time < soonest.time)) soonest = { replay, levels, time };
    }
    if (!soonest) return;
    const p = soonest.replay.path.next(soonest.levels);
    if (p) await print(soonest.replay.path.candle, p);
  }
}
