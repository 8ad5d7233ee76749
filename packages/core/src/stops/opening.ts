import type { PositionSide } from '@ballast/contracts';

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
