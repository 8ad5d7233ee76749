import type { PositionSide } from '@ballast/contracts';
import { ratchetStop } from './trailing-stop';

/**
 * What is known of a position's opening: who opened it, on which side, and the chain (correlation
 * id) of its opening event. The orders service publishes an entry's events in the chain of the
 * decision that asked for it, so that chain names the intent.
 */
export interface Opening {
  /** The strategy whose fill opened it; null for a fill reconciliation recorded (external, adopted). */
  strategy: string | null;
  side: PositionSide;
  correlationId: string;
}

/**
 * Whether an intent, decided in the chain `correlationId`, is the one that opened a position: same
 * chain, strategy and side. A position no strategy opened has no intent.
 */
export function opened(
  intent: { strategy: string; positionSide: PositionSide },
  correlationId: string,
  opening: Opening,
): boolean {
  return (
    opening.strategy !== null &&
    intent.strategy === opening.strategy &&
    intent.positionSide === opening.side &&
    correlationId === opening.correlationId
  );
}

/**
 * The stop a position takes when the intent that opened it is read after its fill: the intent's
 * `planned` stop replaces the `fallback` the position was protected with, looser or tighter. A stop
 * that has moved from that fallback since (trailed, moved to breakeven) only ratchets: a late decision
 * never gives back what the stop already protects.
 */
export function adoptedOpeningStop(
  side: PositionSide,
  current: number,
  fallback: number | null,
  planned: number,
): number {
  return current === fallback ? planned : ratchetStop(side, current, planned);
}
