import { decidedIntent, rememberDecided } from './decided-intents';
import { type EntryCandidate, evaluateEntry } from './evaluate-entry';
import { expirePending, reservePending } from './pending-entries';
import { decideRedelivered, type RedecidedEntry } from './redelivered-entry';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';

/**
 * The verdict, the expiry an approval is published with (its reservation's), and whether an approval
 * given before was withdrawn (see decideRedelivered).
 */
export type EntryDecision = RedecidedEntry;

/**
 * Decides a candidate as intent `intentId` and reserves what it approves for `ttlMs`: until its fills
 * show in the position, its orders are refused or cancelled, or the time passes, the next entries
 * count it. An intent already decided (a redelivered candidate) is sized and reserved no more: by then
 * its fills may have used its reservation up, and the orders service treats the decision, published again
 * under the same id, as a repeat. Its approval stands, with its first expiry, unless a gate has closed
 * since or the signal has grown too old (decideRedelivered).
 */
export function decideEntry(
  state: RiskState,
  intent: { intentId: string; ttlMs: number },
  candidate: EntryCandidate,
  limits: RiskLimits,
  now: number,
): EntryDecision {
  const live = expirePending(state, now);
  const earlier = decidedIntent(live, intent.intentId, now);
  if (earlier) return decideRedelivered(live, earlier, candidate, limits, now);
  const verdict = evaluateEntry(live, candidate, limits, now);
  const { exchange, symbol, side, strategy, signalTime } = candidate;
  const expiresAt = now + intent.ttlMs;
  const decided = rememberDecided(
    live,
    {
      intentId: intent.intentId,
      candidate: { strategy, exchange, symbol, side },
      verdict,
      expiresAt,
      signalTime,
      released: false,
    },
    now,
  );
  if (!verdict.ok) return { state: decided, verdict, expiresAt, withdrawn: false };
  const reserved = reservePending(decided, {
    intentId: intent.intentId,
    strategy,
    exchange,
    symbol,
    side,
    qty: verdict.qty,
    entry: verdict.entry,
    stop: verdict.stop,
    expiresAt,
  });
  return { state: reserved, verdict, expiresAt, withdrawn: false };
}
