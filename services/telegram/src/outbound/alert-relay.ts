import type { Clock } from '@ballast/contracts';
import { type Notice, NoticeBatcher, type NoticeBatcherOptions } from '@ballast/core';
import { Counter, type Registry } from 'prom-client';

/**
 * Feeds notices through the batcher and sends what it releases, on a timer set to the batcher's next
 * due time: a storm becomes one message and the per-minute budget holds whatever the bus does.
 */
export class AlertRelay {
  private readonly batcher: NoticeBatcher;
  private readonly notices: Counter<'kind' | 'severity'>;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | null = null;
  private sending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly send: (text: string) => Promise<void>,
    options: NoticeBatcherOptions,
    metrics: Registry,
  ) {
    this.batcher = new NoticeBatcher(options);
    this.notices = new Counter({
      name: 'ballast_telegram_notices_total',
      help: 'Notices queued for Telegram, by kind and severity (several may share one message)',
      labelNames: ['kind', 'severity'],
      registers: [metrics],
    });
  }

  push(notice: Notice | null): void {
    if (!notice || this.stopped) return;
    this.notices.inc({ kind: notice.kind, severity: notice.severity });
    this.batcher.push(notice);
    this.schedule();
  }

  /** Stops the timer and waits for a message being sent; what is still queued is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sending;
  }

  private schedule(): void {
    const due = this.batcher.dueAt();
    if (due === null || this.stopped) return;
    if (this.timerAt !== null && this.timerAt <= due) return;
    clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.clock.now()));
  }

  private fire(): void {
    this.timerAt = null;
    const text = this.batcher.take(this.clock.now());
    if (text !== null) this.sending = this.sending.then(() => this.send(text));
    this.schedule();
  }
}
