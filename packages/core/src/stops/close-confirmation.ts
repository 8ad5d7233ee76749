/** What a record says about the last close or take-profit it sent: when (injected clock), if any. */
export interface SentClose {
  closing: { sentAt: number } | null;
  takeProfit: { sentAt: number } | null;
}

/**
 * A close or take-profit sent `closeConfirmMs` ago or more and still not confirmed: the close is
 * re-sent, the take-profit given up.
 */
export function overdue(record: SentClose, now: number, closeConfirmMs: number): boolean {
  const sentAt = record.closing?.sentAt ?? record.takeProfit?.sentAt;
  return sentAt !== undefined && now - sentAt >= closeConfirmMs;
}
