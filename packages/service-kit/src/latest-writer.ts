import { reconnectDelay } from '@ballast/core';
export interface LatestWriterDeps<T> {
  write(value: T): Promise<void>;
  /** Told of each failed write (`failures` in a row so far): say it loudly; the writer tries again. */
  failed(error: unknown, failures: number): void;
  /** [0, 1): the jitter of the wait before each new try. */
  random01: () => number;
  /** The wait before the n-th new try: up to baseMs·2^(n-1), never above capMs. */
  backoff?: { baseMs: number; capMs: number };
}

const DEFAULT_BACKOFF = { baseMs: 200, capMs: 5_000 };

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Keeps the latest of a value stored: one write at a time, each of the value set last, and a failed
 * write tried again (capped backoff, full jitter) until one succeeds or the writer stops. For state
 * that is in force in memory at once and must survive a restart (the kill switch): an outage of the
 * store delays the record, never the state.
 */
export class LatestWriter<T> {
  private latest: { value: T; version: number } | undefined;
  private written = 0;
  private waiter: Waiter | undefined;
  private running: Promise<void> | undefined;
  private endPause: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly deps: LatestWriterDeps<T>) {}

  /**
   * Stores `value` in place of what was set before. Resolves once it is written, or once a later
   * value is set (its caller waits for that one); rejects when the writer stops before either.
   */
  set(value: T): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the writer is stopped'));
    this.latest = { value, version: (this.latest?.version ?? 0) + 1 };
    this.waiter?.resolve();
    const written = new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return written;
  }

  /** Stops trying: the value set last and not written yet stays unwritten. Waits for a write under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.endPause?.();
    this.waiter?.reject(new Error('the writer stopped before the value was written'));
    this.waiter = undefined;
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && this.latest && this.written < this.latest.version) {
      const { value, version } = this.latest;
      try {
        await this.deps.write(value);
        failures = 0;
        this.written = version;
        if (version === this.latest.version) this.settle();
      } catch (err) {
        failures++;
        this.deps.failed(err, failures);
        if (!this.stopped) await this.wait(this.delayMs(failures));
      }
    }
  }

  private settle(): void {
    this.waiter?.resolve();
    this.waiter = undefined;
  }

  private delayMs(failures: number): number {
    return reconnectDelay(failures - 1, this.deps.backoff ?? DEFAULT_BACKOFF, this.deps.random01());
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.endPause = done;
    });
  }
}
