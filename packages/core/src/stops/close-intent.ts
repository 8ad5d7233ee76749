/**
 * The intent id of a reduce-only close the stops service sends for a position: `stops:<positionId>:<purpose>`.
 * Derived from its inputs, so a re-sent close repeats its id and the orders service drops the repeat;
 * readers of order events (the stops service's own-close check, trade ledgers) recognise it by its shape.
 */
export function closeIntentId(positionId: string, purpose: string): string {
  return `stops:${positionId}:${purpose}`;
}

/** Whether an intent id names one of this position's own closes, whatever its purpose. */
export function isOwnClose(positionId: string, intentId: string | null | undefined): boolean {
  return intentId?.startsWith(closeIntentId(positionId, '')) ?? false;
}

/** The purpose of a take-profit's sale: its level and the record's sequence, unique per sale. */
export function takeProfitPurpose(level: number, seq: number): string {
  return `tp${level}:${seq}`;
}

/**
 * Whether an intent id is a take-profit's sale (`stops:<exchange>:<symbol>:tp<level>:<seq>`), not a stop's
 * close: one sent after a triggered stop keeps the sale's name behind its own (`…:trigger:tp1:3`).
 */
export function isTakeProfitClose(intentId: string | null | undefined): boolean {
  return /^stops:[^:]+:[^:]+:tp\d+:\d+$/.test(intentId ?? '');
}
