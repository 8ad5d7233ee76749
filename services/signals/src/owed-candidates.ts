import type { DecidedCandidate } from '@ballast/core';

/** One candidate to publish and decide; `first` counts it (a retry is not counted again). */
export interface Settling {
  readonly decided: DecidedCandidate;
  readonly first: boolean;
}

/**
 * Candidates of cycles ranked outside a vector's delivery (at their deadline, at shutdown): their
 * vectors were acknowledged, so no redelivery finishes them. A failed settle keeps them, and the next
 * call retries them before the new ones (safe: ids are derived and the first decision is stored).
 */
export class OwedCandidates {
  private owed: DecidedCandidate[] = [];
  private attempts = 0;

  constructor(
    private readonly settle: (items: readonly Settling[]) => Promise<void>,
    private readonly maxAttempts: number,
    private readonly onDropped: (owed: readonly DecidedCandidate[], err: unknown) => void,
  ) {}

  get size(): number {
    return this.owed.length;
  }

  /** Settles what is still owed, then `fresh`; throws when that fails (all of it is kept). */
  async pay(fresh: readonly DecidedCandidate[]): Promise<void> {
    const items = [
      ...this.owed.map((decided) => ({ decided, first: false })),
      ...fresh.map((decided) => ({ decided, first: true })),
    ];
    if (items.length === 0) return;
    this.owed = items.map((i) => i.decided);
    try {
      await this.settle(items);
      this.owed = [];
      this.attempts = 0;
    } catch (err) {
      this.attempts += 1;
      if (this.attempts >= this.maxAttempts) {
        this.onDropped(this.owed, err);
        this.owed = [];
        this.attempts = 0;
      }
      throw err;
    }
  }
}
