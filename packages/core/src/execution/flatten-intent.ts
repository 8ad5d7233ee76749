const FLATTEN = 'flatten:';

/**
 * The intent ids of a kill's flatten closes: `flatten:<venue>:<kill>:<symbol>`. Derived from the kill,
 * so a kill delivered again finds its closes recorded; the venue is part of it because every trading
 * account's orders service flattens on the same kill, intent ids are unique across accounts, and two
 * accounts closing one market must not claim each other's closes.
 */
export function flattenIntentId(venue: string, killId: string, symbol: string): string {
  return `${flattenIntentPrefix(venue, killId)}${symbol}`;
}

/** What every close of one venue's flatten of one kill starts with (trade ledgers name its exits by it). */
export function flattenIntentPrefix(venue: string, killId: string): string {
  return `${FLATTEN}${venue}:${killId}:`;
}

/** Whether `intentId` names a kill's flatten close (flattenIntentId): the kill confirms those itself. */
export function isFlattenIntent(intentId: string): boolean {
  return intentId.startsWith(FLATTEN);
}
