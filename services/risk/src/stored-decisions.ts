import type { RiskState } from '@ballast/core';
import { RiskPart } from './risk-context';
import { StoredValue } from './stored-value';

type Decided = RiskState['decided'];

/** Risk's decisions as stored (DecidedStore): loaded at start, each new or changed one written. */
export class StoredDecisions extends RiskPart {
  /** The decisions as last stored, and the write under way: only those new or changed since are written. */
  private readonly decided: StoredValue<Decided> = new StoredValue<Decided>(
    (decided) => this.deps.decisions.save(changedSince(decided, this.decided.stored), this.deps.clock.now()),
    (a, b) => a === b,
  );

  /** The decisions not expired by `now`, in force at once. */
  async load(now: number): Promise<void> {
    this.decided.stored = await this.deps.decisions.load(now);
    this.ctx.state = { ...this.ctx.state, decided: this.decided.stored };
  }

  /**
   * Stores the decisions when they changed, one write after another, each of the latest. Awaited before
   * the message that changed them is acknowledged, not before risk's decision is published: the publish
   * does not wait for a commit, and a crash between the two leaves the signal unacknowledged, so it is
   * decided again after the restart.
   */
  store(): Promise<void> {
    return this.decided.store(() => this.ctx.state.decided);
  }
}

/** A decision is a new object when it is new or changed (rememberDecided, releaseDecided). */
function changedSince(decided: Decided, stored: Decided = []): Decided {
  const before = new Set(stored);
  return decided.filter((d) => !before.has(d));
}
