import { type FeatureVector, type SignalCandidate, TIMEFRAME_MS } from '@ballast/contracts';
import type { VetoInput } from './veto-rules';

/** One candidate waiting in its cycle, with what its vetoes (and its decision) are judged on. */
export interface CycleEntry {
  readonly candidate: SignalCandidate;
  readonly input: VetoInput;
  /** Put back after a restart (`SignalEngine.restore`): its bar's age is judged again when its cycle closes. */
  readonly restored?: boolean;
}

/** The candle close of one exchange and timeframe, across the universe's symbols. */
export interface PendingCycle {
  readonly exchange: string;
  readonly timeframe: string;
  readonly openTime: number;
  readonly symbols: Set<string>;
  readonly entries: CycleEntry[];
}

/** A cycle that was ranked; `missing` names the universe symbols it closed without (none: complete). */
export interface ClosedCycle {
  readonly exchange: string;
  readonly timeframe: string;
  readonly openTime: number;
  readonly missing: readonly string[];
}

/**
 * The cycles waiting for the universe's symbols, keyed by exchange, timeframe and open time: two venues
 * quoting the same symbols are two cycles, each ranked on its own. A cycle closes once every symbol
 * reported, once its deadline (bar close + grace) passed, or once a later bar of its series began.
 */
export class PendingCycles {
  private readonly pending = new Map<string, PendingCycle>();

  constructor(
    private readonly universe: ReadonlySet<string>,
    private readonly graceMs: number | undefined,
  ) {}

  /** Adds the vector's symbol and entries to its cycle (opened if need be). */
  join(vector: FeatureVector, entries: readonly CycleEntry[]): void {
    const key = cycleKey(vector);
    let cycle = this.pending.get(key);
    if (!cycle) {
      const { exchange, timeframe, openTime } = vector;
      cycle = { exchange, timeframe, openTime, symbols: new Set(), entries: [] };
      this.pending.set(key, cycle);
    }
    cycle.entries.push(...entries);
    cycle.symbols.add(vector.symbol);
  }

  /**
   * Removes and returns, oldest first, every cycle that is complete, past its deadline at `now` (when a
   * clock is known), or of the vector's series and an earlier bar than it.
   */
  takeClosing(now: number | undefined, vector?: FeatureVector): PendingCycle[] {
    const closing = [...this.pending.values()].filter(
      (c) => this.complete(c) || this.overdue(c, now) || (vector !== undefined && superseded(c, vector)),
    );
    for (const c of closing) this.pending.delete(cycleKey(c));
    return closing.sort((a, b) => a.openTime - b.openTime);
  }

  /** Every cycle still waiting, oldest first, removed (at shutdown or the end of a backtest). */
  takeAll(): PendingCycle[] {
    const all = [...this.pending.values()].sort((a, b) => a.openTime - b.openTime);
    this.pending.clear();
    return all;
  }

  /** Whether the vector's cycle is still waiting for symbols. */
  isOpen(bar: { exchange: string; timeframe: string; openTime: number }): boolean {
    return this.pending.has(cycleKey(bar));
  }

  missing(cycle: PendingCycle): string[] {
    return [...this.universe].filter((s) => !cycle.symbols.has(s));
  }

  private complete(cycle: PendingCycle): boolean {
    return this.universe.size === 0 || this.missing(cycle).length === 0;
  }

  private overdue(cycle: PendingCycle, now: number | undefined): boolean {
    if (now === undefined || this.graceMs === undefined) return false;
    return now >= barClose(cycle) + this.graceMs;
  }
}

/** When the bar opened at `openTime` closed: the earliest a vector of it can exist. */
export function barClose(bar: { timeframe: string; openTime: number }): number {
  return bar.openTime + TIMEFRAME_MS[bar.timeframe as keyof typeof TIMEFRAME_MS];
}

function superseded(cycle: PendingCycle, vector: FeatureVector): boolean {
  return (
    cycle.exchange === vector.exchange &&
    cycle.timeframe === vector.timeframe &&
    cycle.openTime < vector.openTime
  );
}

const cycleKey = (c: { exchange: string; timeframe: string; openTime: number }): string =>
  `${c.exchange}|${c.timeframe}|${c.openTime}`;
