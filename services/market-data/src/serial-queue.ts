/**
 * Runs async tasks one at a time in submission order, so a backfill and the candles that arrive
 * during it are stored and published in open-time order. A failing task is reported, never blocks.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (err: unknown) => void) {}

  run(task: () => Promise<void>): Promise<void> {
    const next = this.tail.then(task).catch(this.onError);
    this.tail = next;
    return next;
  }

  /** Resolves when everything submitted so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
