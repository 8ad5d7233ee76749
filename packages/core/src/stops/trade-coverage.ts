/** A break between two trades longer than this ends a run: a stream gap, a reconnect, a quiet market. */
export const TRADE_RUN_GAP_MS = 60_000;

/** Feed breaks kept per symbol: older ones lie before any run still judged. */
const BREAKS_KEPT = 32;

/**
 * The unbroken runs of trades seen, per symbol (venue times). A bar inside its symbol's run, from
 * within a gap of its open to within a gap of its close, had every price checked as it printed; its
 * low and high are not news, and may be older than a stop moved since. Any other bar's extremes are
 * the only record of what traded in its gaps.
 *
 * A run also ends where the feed said it could not vouch for its data (`interrupt`: a reconnect, a
 * stale or down feed), however short the break: the trades printed while the connection was down are
 * lost, not late, and a stop touched only then shows in the bar's extremes alone.
 */
export class TradeCoverage {
  private readonly runs = new Map<string, { first: number; last: number }>();
  /** Per symbol (null: the whole connection), when the feed broke. */
  private readonly breaks = new Map<string | null, number[]>();

  constructor(private readonly maxGapMs = TRADE_RUN_GAP_MS) {}

  seen(symbol: string, time: number): void {
    const run = this.runs.get(symbol);
    if (
      !run ||
      time - run.last > this.maxGapMs ||
      run.first - time > this.maxGapMs ||
      this.brokenBetween(symbol, Math.min(time, run.first), Math.max(time, run.last))
    )
      this.runs.set(symbol, { first: time, last: time });
    else {
      run.first = Math.min(run.first, time);
      run.last = Math.max(run.last, time);
    }
  }

  /**
   * The feed of `symbol` (null: every symbol) broke at `time`: no run spans it. A run already past it
   * (its trades read before the break was) keeps only its newest trade, the one known to follow it.
   */
  interrupt(symbol: string | null, time: number): void {
    const kept = this.breaks.get(symbol) ?? [];
    kept.push(time);
    if (kept.length > BREAKS_KEPT) kept.shift();
    this.breaks.set(symbol, kept);
    for (const [key, run] of this.runs)
      if ((symbol === null || key === symbol) && run.first < time && run.last >= time) run.first = run.last;
  }

  covers(symbol: string, bar: { openTime: number; closeTime: number }): boolean {
    const run = this.runs.get(symbol);
    return (
      run !== undefined &&
      run.first <= bar.openTime + this.maxGapMs &&
      run.last >= bar.closeTime - this.maxGapMs
    );
  }

  /** Whether the feed of `symbol` broke after `from`, up to `to`. */
  private brokenBetween(symbol: string, from: number, to: number): boolean {
    for (const key of [symbol, null])
      for (const at of this.breaks.get(key) ?? []) if (at > from && at <= to) return true;
    return false;
  }
}
