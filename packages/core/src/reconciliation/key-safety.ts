/** Why live trading may not start on a venue's API key, one closed set. */
export type KeySafetyReason = 'withdrawals_enabled' | 'withdrawals_unverified';

export type KeySafetyVerdict =
  | { ok: true; overridden: boolean; detail: string }
  | { ok: false; reason: KeySafetyReason; detail: string };

/**
 * A live key must not be able to withdraw: a leaked key then costs trades, not the account. A key the
 * venue cannot vouch for counts as able. Only an explicit, recorded override lets it through.
 */
export function checkKeySafety(input: {
  venue: string;
  live: boolean;
  withdrawals: boolean | undefined;
  override: string | null;
}): KeySafetyVerdict {
  if (!input.live) return { ok: true, overridden: false, detail: `${input.venue} is not live` };
  if (input.withdrawals === false)
    return { ok: true, overridden: false, detail: `${input.venue} API key cannot withdraw` };
  const reason: KeySafetyReason = input.withdrawals ? 'withdrawals_enabled' : 'withdrawals_unverified';
  const what =
    reason === 'withdrawals_enabled'
      ? `the ${input.venue} API key allows withdrawals`
      : `the ${input.venue} API key's withdrawal permission cannot be read`;
  if (input.override)
    return { ok: true, overridden: true, detail: `${what}; allowed by override: ${input.override}` };
  return {
    ok: false,
    reason,
    detail: `${what}: live trading refuses to start. Remove the withdrawal permission from the key, or set RECON_WITHDRAWAL_OVERRIDE to a reason (it is recorded).`,
  };
}
