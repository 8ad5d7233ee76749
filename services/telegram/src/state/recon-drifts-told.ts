import type { ReconEvent } from '@ballast/contracts';
import type { Notice } from '@ballast/core';
import { reconEventNotice } from './notices';

/** A venue that keeps drifting in new ways still costs bounded memory: past this, old drifts may be told again. */
const MAX_TOLD_PER_VENUE = 500;

/**
 * Reconciliation publishes every drift on every run until it is resolved, so a drift that persists
 * (a repair failing, a flagged order) would reach the operator once a run, forever. Each drift is
 * told once per venue until a clean run of that venue; a venue unreadable with the same error is
 * told once until a run reads it again. What the drift became (its outcome, in the evidence) is
 * part of the drift: a repair that failed and then applied is told twice.
 */
export class ReconDriftsTold {
  private readonly told = new Map<string, Set<string>>();

  /** The notice for `e`, or null when it was told already (or is a clean run, which is not told). */
  notice(e: ReconEvent, at: number): Notice | null {
    if (e.kind === 'clean') {
      this.told.delete(e.venue);
      return null;
    }
    const told = this.told.get(e.venue) ?? new Set<string>();
    this.told.set(e.venue, told);
    // A run that read the venue ends its unreadable spell: the next unreadable spell is news.
    if (e.kind !== 'unknown') for (const key of told) if (key.startsWith('unknown:')) told.delete(key);
    const key = `${e.kind}:${e.evidence}`;
    if (told.has(key)) return null;
    if (told.size >= MAX_TOLD_PER_VENUE) told.clear();
    told.add(key);
    return reconEventNotice(e, at);
  }
}
