import type { EntryApproval } from './evaluate-entry';
import type { RiskState } from './risk-state';
import type { Denial } from './verdict';

/**
 * An intent risk has decided, and its verdict, kept until `expiresAt` (the reservation's expiry). A
 * signal redelivered after its entry filled (risk published, then failed before the ack) must not
 * reserve again: fills have used the reservation up, so a second decision would add a fresh one that
 * the orders service never fills (it sees the same decision id as a repeat).
 */
export type DecidedIntent = { intentId: string; verdict: EntryApproval | Denial; expiresAt: number };

/** At most this many are kept, oldest forgotten first: a flood of signals cannot grow risk's memory. */
export const MAX_DECIDED_INTENTS = 10_000;

/** The verdict an intent was given, while it is remembered. */
export function decidedVerdict(
  state: RiskState,
  intentId: string,
  now: number,
): EntryApproval | Denial | undefined {
  return state.decided.find((d) => d.intentId === intentId && d.expiresAt > now)?.verdict;
}

/** Records a decision and forgets those whose expiry has come (or beyond the bound, the oldest). */
export function rememberDecided(state: RiskState, decided: DecidedIntent, now: number): RiskState {
  const live = state.decided.filter((d) => d.expiresAt > now);
  return { ...state, decided: [...live, decided].slice(-MAX_DECIDED_INTENTS) };
}
