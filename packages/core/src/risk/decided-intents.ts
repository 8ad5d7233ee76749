import type { EntryApproval, EntryCandidate } from './evaluate-entry';
import type { RiskState } from './risk-state';
import type { Denial } from './verdict';

/**
 * An intent risk has decided, and its verdict, kept until `expiresAt` (the reservation's expiry). A
 * signal redelivered after its entry filled (risk published, then failed before the ack) must not
 * reserve again: fills have used the reservation up, so a second decision would add a fresh one that
 * the orders service never fills (it sees the same decision id as a repeat). The risk service stores
 * them, so a restart remembers them too and rebuilds an approval's reservation (see pendingAtStart).
 */
export type DecidedIntent = {
  intentId: string;
  /** Whose entry, where: what an approval's reservation holds. */
  candidate: Pick<EntryCandidate, 'strategy' | 'exchange' | 'symbol' | 'side'>;
  verdict: EntryApproval | Denial;
  /** Set at the first decision and kept: a redelivery publishes it again, never a later one. */
  expiresAt: number;
  /**
   * When the signal was decided, as first delivered: a redelivery's age is measured from it. Absent on
   * decisions stored before it was kept (the redelivered signal's own time is used then).
   */
  signalTime?: number;
  /** Its orders were refused or cancelled for all its reservation had left: none of it is awaited. */
  released: boolean;
};

/** A remembered approval. */
export type DecidedApproval = DecidedIntent & { verdict: EntryApproval };

/** At most this many are kept, oldest forgotten first: a flood of signals cannot grow risk's memory. */
export const MAX_DECIDED_INTENTS = 10_000;

/** An intent's decision, while it is remembered. */
export function decidedIntent(state: RiskState, intentId: string, now: number): DecidedIntent | undefined {
  return state.decided.find((d) => d.intentId === intentId && d.expiresAt > now);
}

/** The verdict an intent was given, while it is remembered. */
export function decidedVerdict(
  state: RiskState,
  intentId: string,
  now: number,
): EntryApproval | Denial | undefined {
  return decidedIntent(state, intentId, now)?.verdict;
}

/** Records a decision and forgets those whose expiry has come (or beyond the bound, the oldest). */
export function rememberDecided(state: RiskState, decided: DecidedIntent, now: number): RiskState {
  const live = state.decided.filter((d) => d.expiresAt > now);
  return { ...state, decided: [...live, decided].slice(-MAX_DECIDED_INTENTS) };
}

/** Notes that nothing of the intent's approval is awaited any more; unchanged when it is not remembered. */
export function releaseDecided(
  decided: readonly DecidedIntent[],
  intentId: string,
): readonly DecidedIntent[] {
  if (!decided.some((d) => d.intentId === intentId && !d.released)) return decided;
  return decided.map((d) => (d.intentId === intentId ? { ...d, released: true } : d));
}

/** The remembered approvals whose expiry has not come, oldest first. */
export function liveApprovals(decided: readonly DecidedIntent[], now: number): DecidedApproval[] {
  return decided.filter((d): d is DecidedApproval => d.verdict.ok && d.expiresAt > now);
}
