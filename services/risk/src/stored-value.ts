/**
 * A value risk keeps in a store and writes as it changes: one write after another, each of the value
 * as it is when the write's turn comes, none when that is what was stored last. `stored` is that last
 * stored value (undefined before any is loaded or written).
 */
export class StoredValue<T> {
  stored: T | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly save: (value: T) => Promise<void>,
    private readonly same: (a: T, b: T) => boolean,
  ) {}

  /** Writes `latest()` in turn, unless it is what is stored; rejects when that write fails. */
  store(latest: () => T): Promise<void> {
    const run = this.writing.then(async () => {
      const value = latest();
      if (this.stored !== undefined && this.same(value, this.stored)) return;
      await this.save(value);
      this.stored = value;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
