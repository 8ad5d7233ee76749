import { decidedVerdict, rememberDecided } from './decided-intents';
import { type EntryApproval, type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { expirePending, reservePending } from './pending-entries';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';
import type { Denial } from './verdict';

export type EntryDecision = { state: RiskState; verdict: EntryApproval | Denial };

/**
 * Decides a candidate as intent `intentId` and reserves what it approves for `ttlMs`: until its fills
 * show in the position, its orders are refused or cancelled, or the time passes, the next entries
 * count it. An intent already decided (a redelivered candidate) gets the same verdict and reserves
 * nothing: by then its fills may have used its reservation up, and the orders service treats the
 * decision, published again under the same id, as a repeat.
 */
export function decideEntry(
  state: RiskState,
  intent: { intentId: string; ttlMs: number },
  candidate: EntryCandidate,
  limits: RiskLimits,
  now: number,
): EntryDecision {
  const live = expirePending(state, now);
  const earlier = decidedVerdict(live, intent.intentId, now);
  if (earlier) return { state: live, verdict: earlier };
  const verdict = evaluateEntry(live, candidate, limits, now);
  const { exchange, symbol, side, strategy } = candidate;
  const decided = rememberDecided(
    live,
    {
      intentId: intent.intentId,
      candidate: { strategy, exchange, symbol, side },
      verdict,
      expiresAt: now + intent.ttlMs,
      released: false,
    },
    now,
  );
  if (!verdict.ok) return { state: decided, verdict };
  const reserved = reservePending(decided, {
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
