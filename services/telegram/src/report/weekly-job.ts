import type { Clock } from '@ballast/contracts';
import { nextWeeklyRun, type WeeklySchedule } from '@ballast/core';
import type { Logger } from '@ballast/service-kit';

/**
 * Runs `send` at every scheduled instant (UTC weekday and hour). The next run is computed from the
 * one just due, not from when the send finished, so a slow send never skips a week.
 */
export class WeeklyJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** When the job runs next (epoch ms), for logs and tests. */
  nextAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly schedule: WeeklySchedule,
    private readonly send: (dueAt: number) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.arm(nextWeeklyRun(this.clock.now(), this.schedule));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(at: number): void {
    if (this.stopped) return;
    this.nextAt = at;
    this.log.info({ nextAt: new Date(at).toISOString() }, 'weekly report scheduled');
    this.timer = setTimeout(
      () => {
        this.running = this.send(at)
          .catch((err: unknown) => this.log.error({ err }, 'weekly report failed'))
          .finally(() => this.arm(nextWeeklyRun(at, this.schedule)));
      },
      Math.max(0, at - this.clock.now()),
    );
  }
}
