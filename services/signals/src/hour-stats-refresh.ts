import type { Bus, Subscription } from '@ballast/bus';
import { Subjects, subject } from '@ballast/contracts';
import { type HourExpectancy, HourExpectancyTable } from '@ballast/core';

/** A close the risk service has not recorded yet: redelivered, so the table is read after it. */
export class CloseNotRecordedError extends Error {
  readonly reason = 'close_not_recorded';

  constructor(readonly tradeKey: string) {
    super(`close ${tradeKey} not in closed_trades yet: hour statistics re-read on redelivery`);
  }
}

/**
 * The hour table the veto tier holds, re-read from strategy_hour_stats whenever a position closes: the
 * only moment the statistics can change. A few dozen rows, so one read per close is cheap. Subclassed
 * rather than rebuilt because the SignalEngine keeps the table it was given.
 *
 * The risk service writes the close and its statistics in one transaction as it handles the same
 * pos.event; with `recorded`, a close read before that transaction is redelivered rather than leaving
 * the table one close behind.
 */
export class RefreshingHourTable extends HourExpectancyTable {
  private current: HourExpectancyTable;

  constructor(
    private readonly read: () => Promise<readonly HourExpectancy[]>,
    initial: readonly HourExpectancy[],
    /** Whether the close with this envelope id is in closed_trades (its statistics with it). */
    private readonly recorded?: (tradeKey: string) => Promise<boolean>,
  ) {
    super();
    this.current = new HourExpectancyTable(initial);
  }

  override get size(): number {
    return this.current.size;
  }

  override get(strategy: string, hourUtc: number): HourExpectancy | undefined {
    return this.current.get(strategy, hourUtc);
  }

  async refresh(): Promise<number> {
    this.current = new HourExpectancyTable(await this.read());
    return this.current.size;
  }

  /** Refreshes on every pos.event `closed`; a failed or early read is retried by the bus's redelivery. */
  watch(bus: Bus, durable: string, onRefreshed: (rows: number) => void): Promise<Subscription> {
    return bus.subscribe(
      subject(Subjects.positionEvent, {}),
      async (m) => {
        if (m.payload.status !== 'closed') return;
        if (this.recorded && !(await this.recorded(m.id))) throw new CloseNotRecordedError(m.id);
        onRefreshed(await this.refresh());
      },
      { durable },
    );
  }
}
