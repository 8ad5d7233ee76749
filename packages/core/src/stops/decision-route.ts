import type { OrderIntent } from '@ballast/contracts';
import { addsTo, type HeldPosition } from './added-entry';
import { opened } from './opening';

/**
 * Where an approved decision goes: an `add` to the held position whose growth named it before it was
 * read, the `opening` intent of a position opened before its decision was read (its stop and ladder
 * are adopted), or `pending`, kept for the fill that uses it.
 */
export type DecisionRoute = 'add' | 'opening' | 'pending';

/** What the route reads of the market's position record. */
export interface DecidedPosition extends HeldPosition {
  /** Intent ids that growths of the position named before their decisions were read. */
  awaitingAdds: readonly string[];
  /** Opened by a strategy before its intent was read: the opening's strategy and chain. */
  awaiting: { strategy: string; correlationId: string } | null;
  closing: object | null;
  takeProfit: object | null;
}

/**
 * Routes a decision read in the chain `correlationId`. An awaited add is not the opening's own intent
 * (its slices name it too), and is not adopted while a take-profit sells (a new stop would lock the
 * coins it sells) or a close is out; a closing position adopts no opening intent either.
 */
export function decisionRoute(
  record: DecidedPosition | undefined,
  intent: Pick<OrderIntent, 'intentId' | 'strategy' | 'exchange' | 'symbol' | 'positionSide'>,
  correlationId: string,
): DecisionRoute {
  if (!record) return 'pending';
  const { awaiting } = record;
  const opening = awaiting ? opened(intent, correlationId, { ...awaiting, side: record.side }) : false;
  if (
    record.awaitingAdds.includes(intent.intentId) &&
    !opening &&
    !record.closing &&
    !record.takeProfit &&
    addsTo(record, intent)
  )
    return 'add';
  return opening && !record.closing ? 'opening' : 'pending';
}
