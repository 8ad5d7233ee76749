/** What a flatten, or the close of one position, came to: the ack's words, and whether it is flat. */
export type Flattened = { text: string; flat: boolean };

/**
 * A market's verdict when orders of ours in it are still `sending` (sent, no answer settled yet): each
 * may still land at the venue and trade after the kill's acknowledgement, so the market is NOT flat,
 * whatever its balance reads now. `verdict`: the market's own, if it had one (a position, a holding).
 */
export function withOrdersInFlight(verdict: Flattened | undefined, sending: readonly string[]): Flattened {
  if (sending.length === 0) return verdict ?? { text: 'flat', flat: true };
  const count = sending.length === 1 ? '1 order' : `${sending.length} orders`;
  const landing = `${count} of ours may still land (sending: ${sending.join(' ')})`;
  if (!verdict || verdict.flat) return { text: `NOT flat: ${landing}`, flat: false };
  return { text: `${verdict.text}; ${landing}`, flat: false };
}
