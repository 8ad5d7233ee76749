import type { Bus } from '@ballast/bus';
import { type BookUpdate, Subjects, subject } from '@ballast/contracts';

/** Publishes `md.book` when enabled; book deltas are the bulk of the traffic, so it can be turned off. */
export class BookPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly enabled: boolean,
    private readonly onError: (err: unknown) => void,
  ) {}

  publish(update: BookUpdate): void {
    if (!this.enabled) return;
    const to = subject(Subjects.book, { exchange: update.exchange, symbol: update.symbol });
    this.bus.publish(to, update, { eventTime: update.time }).catch(this.onError);
  }
}
