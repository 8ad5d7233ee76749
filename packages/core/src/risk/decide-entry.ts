import { type EntryApproval, type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { dropPending, expirePending, reservePending } from './pending-entries';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';
import type { Denial } from './verdict';

export type EntryDecision = { state: RiskState; verdict: EntryApproval | Denial };

/**
 * Decides a candidate as intent `intentId` and reserves what it approves for `ttlMs`: until its fills
 * show in the position, its orders are refused or cancelled, or the time passes, the next entries
 * count it. The intent's own reservation (left by an earlier delivery of the same candidate) is not
 * counted against it, so a redelivery is decided the same way and reserves nothing twice.
 */
export function decideEntry(
  state: RiskState,
  intent: { intentId: string; ttlMs: number },
  candidate: EntryCandidate,
  limits: RiskLimits,
  now: number,
): EntryDecision {
  const live = expirePending(state, now);
  const verdict = evaluateEntry(dropPending(live, intent.intentId), candidate, limits, now);
  if (!verdict.ok) return { state: live, verdict };
  const { exchange, symbol, side, strategy } = candidate;
  const reserved = reservePending(live, {
    intentId: intent.intentId,
    strategy,
    exchange,
    symbol,
    side,
    qty: verdict.qty,
    entry: verdict.entry,
    stop: verdict.stop,
    expiresAt: now + intent.ttlMs,
  });
  return { state: reserved, verdict };
}
