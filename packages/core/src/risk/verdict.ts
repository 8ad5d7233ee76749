import type { DenyReason } from '@ballast/contracts';

/**
 * Why a rule said no, with the numbers it compared. `limit` and `value` are in the rule's own
 * unit: quote money for equity-based limits, a count for positions (and for the other holders of a
 * market, market_held: limit 0), a ratio for reward:risk, epoch ms for a pause (limit = pause end,
 * value = now), ms for a signal's age (stale_signal), basis points for an entry's distance from the book
 * (entry_off_market). Gates that are simply on or off (kill switch, stale data, unreconciled venue) report
 * limit 0 and value 1.
 */
export type Denial = { ok: false; reason: DenyReason; limit: number; value: number; detail: string };

export type Verdict = { ok: true } | Denial;

export const ALLOW: Verdict = { ok: true };

export function deny(reason: DenyReason, limit: number, value: number, detail: string): Denial {
  return { ok: false, reason, limit, value, detail };
}

/** On/off gates have no magnitude: 0 is the limit, 1 says the gate is closed. */
export function denyGate(reason: DenyReason, detail: string): Denial {
  return deny(reason, 0, 1, detail);
}
