import type { Bus, Subscription } from '@ballast/bus';
import { Subjects, subject } from '@ballast/contracts';
import { type HourExpectancy, HourExpectancyTable } from '@ballast/core';

/**
 * The hour table the veto tier holds, re-read from strategy_hour_stats whenever a position closes: the
 * only moment the statistics can change. A few dozen rows, so one read per close is cheap. Subclassed
 * rather than rebuilt because the SignalEngine keeps the table it was given.
 */
export class RefreshingHourTable extends HourExpectancyTable {
  private current: HourExpectancyTable;

  constructor(
    private readonly read: () => Promise<readonly HourExpectancy[]>,
    initial: readonly HourExpectancy[],
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

  /** Refreshes on every pos.event `closed`; a failed read is retried by the bus's redelivery. */
  watch(bus: Bus, durable: string, onRefreshed: (rows: number) => void): Promise<Subscription> {
    return bus.subscribe(
      subject(Subjects.positionEvent, {}),
      async (m) => {
        if (m.payload.status === 'closed') onRefreshed(await this.refresh());
      },
      { durable },
    );
  }
}
