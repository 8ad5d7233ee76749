import type { Bus, Subscription } from '@ballast/bus';
import { Subjects, subject } from '@ballast/contracts';
import { type HourExpectancy, HourExpectancyTable } from '@ballast/core';

/**
 * The hour table the veto tier holds, re-read from strategy_hour_stats whenever a position closes: the
 * only moment the statistics can change. A few dozen rows, so one read per close is cheap. Subclassed
 * rather than rebuilt because the SignalEngine keeps the table it was given.
 *
 * The risk service writes the close and its statistics in one transaction as it handles the same
 * pos.event; with `recorded`, the read waits (up to `waitMs`) for that transaction rather than leaving
 * the table one close behind. A close still unrecorded then (risk down) is read as it stands: the
 * next close brings the table up to date; no error, no dead letter for a statistic.
 */
export class RefreshingHourTable extends HourExpectancyTable {
  private current: HourExpectancyTable;

  constructor(
    private readonly read: () => Promise<readonly HourExpectancy[]>,
    initial: readonly HourExpectancy[],
    private readonly wait?: RecordWait,
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

  /** Refreshes on every pos.event `closed`, once risk has recorded it; a failed read is redelivered. */
  watch(
    bus: Bus,
    durable: string,
    onRefreshed: (rows: number, recorded: boolean) => void,
  ): Promise<Subscription> {
    return bus.subscribe(
      subject(Subjects.positionEvent, {}),
      async (m) => {
        if (m.payload.status !== 'closed') return;
        const recorded = this.wait ? await this.untilRecorded(this.wait, m.id) : true;
        onRefreshed(await this.refresh(), recorded);
      },
      { durable },
    );
  }

  private async untilRecorded(wait: RecordWait, tradeKey: string): Promise<boolean> {
    for (let waited = 0; ; waited += wait.pollMs) {
      if (await wait.recorded(tradeKey)) return true;
      if (waited >= wait.waitMs) return false;
      await wait.sleep(wait.pollMs);
    }
  }
}

/** How the table learns that risk has recorded a close (and its statistics with it). */
export interface RecordWait {
  /** Whether the close with this envelope id is in closed_trades. */
  recorded: (tradeKey: string) => Promise<boolean>;
  waitMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
}
