/** Closed-trade statistics of one strategy for entries in one UTC hour of the day. */
export interface HourExpectancy {
  strategy: string;
  /** 0–23, UTC. */
  hourUtc: number;
  trades: number;
  /** Mean net profit per trade (fees included), in the quote currency: see `hourExpectancies`. */
  expectancy: number;
}

/** Lookup by (strategy, hour); built once from the database and injected into the veto tier. */
export class HourExpectancyTable {
  private readonly byKey = new Map<string, HourExpectancy>();

  constructor(stats: readonly HourExpectancy[] = []) {
    for (const s of stats) this.byKey.set(key(s.strategy, s.hourUtc), s);
  }

  get size(): number {
    return this.byKey.size;
  }

  get(strategy: string, hourUtc: number): HourExpectancy | undefined {
    return this.byKey.get(key(strategy, hourUtc));
  }
}

function key(strategy: string, hourUtc: number): string {
  return `${strategy}|${hourUtc}`;
}
