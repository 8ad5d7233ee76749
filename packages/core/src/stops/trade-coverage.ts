/** A break between two trades longer than this ends a run: a stream gap, a reconnect, a quiet market. */
export const TRADE_RUN_GAP_MS = 60_000;

/**
 * The unbroken runs of trades seen, per symbol (venue times). A bar inside its symbol's run, from
 * within a gap of its open to within a gap of its close, had every price checked as it printed; its
 * low and high are not news, and may be older than a stop moved since. Any other bar's extremes are
 * the only record of what traded in its gaps.
 */
export class TradeCoverage {
  private readonly runs = new Map<string, { first: number; last: number }>();

  constructor(private readonly maxGapMs = TRADE_RUN_GAP_MS) {}

  seen(symbol: string, time: number): void {
    const run = this.runs.get(symbol);
    if (!run || time - run.last > this.maxGapMs || run.first - time > this.maxGapMs)
      this.runs.set(symbol, { first: time, last: time });
    else {
      run.first = Math.min(run.first, time);
      run.last = Math.max(run.last, time);
    }
  }

  covers(symbol: string, bar: { openTime: number; closeTime: number }): boolean {
    const run = this.runs.get(symbol);
    return (
      run !== undefined &&
      run.first <= bar.openTime + this.maxGapMs &&
      run.last >= bar.closeTime - this.maxGapMs
    );
  }
}
