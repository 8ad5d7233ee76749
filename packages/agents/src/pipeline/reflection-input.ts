import { PositionSide, Price, SymbolId } from '@ballast/contracts';
import { z } from 'zod';

/** What the reflector learns from: a closed position, or a rejected candidate once hindsight is known. */
export const ReflectionInput = z.object({
  correlationId: z.string().min(1),
  kind: z.enum(['closed_position', 'rejected_candidate']),
  symbol: SymbolId,
  setup: z.string().min(1),
  side: PositionSide,
  entry: Price,
  /** null when unknown (a position whose decision this service did not see): no result in R then. */
  stop: Price.nullable(),
  /** Exit price, or for a rejected candidate the price it would have reached (hindsight). */
  outcomePrice: Price,
  /** What was decided and why, in a line or two (reviewer reasons). */
  decision: z.string().max(1000),
});
export type ReflectionInput = z.infer<typeof ReflectionInput>;

/** Result in R (multiples of the initial risk), signed for the side; null when the stop is unknown. */
export function resultInR(input: ReflectionInput): number | null {
  if (input.stop === null) return null;
  const risk = Math.abs(input.entry - input.stop);
  return risk === 0 ? 0 : signedMove(input) / risk;
}

/** The move from entry to outcome as a fraction of entry, signed for the side. */
export function resultInPercent(input: ReflectionInput): number {
  return (signedMove(input) / input.entry) * 100;
}

function signedMove(input: ReflectionInput): number {
  return input.side === 'long' ? input.outcomePrice - input.entry : input.entry - input.outcomePrice;
}
