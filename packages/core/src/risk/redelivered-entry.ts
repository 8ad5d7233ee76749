import type { DecidedIntent } from './decided-intents';
import { checkEntryGates, firstDenial } from './entry-gates';
import { checkSignalAge } from './entry-market';
import type { EntryApproval, EntryCandidate } from './evaluate-entry';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';
import type { Denial } from './verdict';

/** An intent decided again: its verdict, the first decision's expiry, and whether its approval was withdrawn. */
export type RedecidedEntry = {
  state: RiskState;
  verdict: EntryApproval | Denial;
  expiresAt: number;
  withdrawn: boolean;
};

/**
 * A candidate delivered again (its decision's publish failed, or its ack was lost) keeps the expiry its
 * first decision gave it, so the orders service's own expiry check still counts from then. An approval
 * stands only while no gate has closed since (kill switch, drawdown or daily-loss halt, loss-streak
 * pause, stale data, unreconciled venue) and the signal, dated when it was first decided, is not too
 * old: otherwise the approval is withdrawn and the denial is the answer. Published under the approval's
 * derived id, that denial is dropped by JetStream's duplicate window when the approval had gone out
 * (the orders service acted on it then; its recorded orders are what a restart reserves), and reaches
 * the orders service in place of the approval when it had not. Nothing is sized again: the size was
 * reserved at the first decision, and the reservation is kept when the approval is withdrawn (see
 * withdrawApproval).
 */
export function decideRedelivered(
  state: RiskState,
  earlier: DecidedIntent,
  candidate: Pick<EntryCandidate, 'signalTime'>,
  limits: RiskLimits,
  now: number,
): RedecidedEntry {
  const { verdict, expiresAt } = earlier;
  if (!verdict.ok) return { state, verdict, expiresAt, withdrawn: false };
  const signalTime = earlier.signalTime ?? candidate.signalTime;
  const recheck = firstDenial([
    () => checkEntryGates(state, earlier.candidate, limits, now),
    () => checkSignalAge(signalTime, now, limits),
  ]);
  if (recheck.ok) return { state, verdict, expiresAt, withdrawn: false };
  return {
    state: withdrawApproval(state, earlier.intentId, recheck),
    verdict: recheck,
    expiresAt,
    withdrawn: true,
  };
}

/**
 * Takes back an approval: the intent is remembered denied and released, so a further delivery gets the
 * denial again. Its reservation stays until it lapses at the approval's expiry (or its orders' fills,
 * refusals or cancels take it off): whether the denial reached the orders service in place of the
 * approval, or was dropped as a duplicate because the approval had gone out and is being executed, is
 * not known here, and freeing the room for an entry that may be filling would let the next candidate
 * past the exposure and position limits. Held a few minutes too long is the side that cannot lose.
 */
export function withdrawApproval(state: RiskState, intentId: string, denial: Denial): RiskState {
  return {
    ...state,
    decided: state.decided.map((d) =>
      d.intentId === intentId ? { ...d, verdict: denial, released: true } : d,
    ),
  };
}
