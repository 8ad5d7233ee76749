import type { BusLogger } from './bus';

/** One line per key at most this often while the same failure repeats. */
export const REPEATED_ERROR_EVERY_MS = 10_000;

/**
 * Logs the first of a run of like errors at once, then at most one line per key every `everyMs`, carrying
 * how many were held back since the last one: an outage fails every publish (a trade feed, hundreds a
 * second), and a line for each filled a home server's disk while saying nothing new.
 */
export class RepeatedErrors {
  private readonly runs = new Map<string, { at: number; heldBack: number }>();

  constructor(
    private readonly log: Pick<BusLogger, 'error'>,
    private readonly now: () => number,
    private readonly everyMs = REPEATED_ERROR_EVERY_MS,
  ) {}

  error(key: string, obj: object, msg: string): void {
    const now = this.now();
    const run = this.runs.get(key);
    if (run && now - run.at < this.everyMs) {
      run.heldBack++;
      return;
    }
    this.log.error(run && run.heldBack > 0 ? { ...obj, heldBack: run.heldBack } : obj, msg);
    this.runs.set(key, { at: now, heldBack: 0 });
  }
}
