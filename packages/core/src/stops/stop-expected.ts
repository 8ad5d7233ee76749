import { type PendingTakeProfit, sellingAll } from './pending-take-profit';

/**
 * Whether a stop should be resting on the venue for this record. None is while a close is on its way
 * (the next clock tick re-sends it if the position stays open), nor during a sale of everything whose
 * stop was cancelled for it (its order event, or its timeout, puts the stop back).
 */
export function stopExpected(record: {
  closing: object | null;
  takeProfit: PendingTakeProfit | null;
  clientOrderId: string | null;
}): boolean {
  return !(record.closing || (sellingAll(record) && !record.clientOrderId));
}
