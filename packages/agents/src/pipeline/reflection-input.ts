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
  stop: Price,
  /** Exit price, or for a rejected candidate the price it would have reached (hindsight). */
  outcomePrice: Price,
  /** What was decided and why, in a line or two (reviewer reasons). */
  decision: z.string().max(1000),
});
export type ReflectionInput = z.infer<typeof ReflectionInput>;

/** Result in R (multiples of the initial risk), signed for the side. */
export function resultInR(input: ReflectionInput): number {
  const risk = Math.abs(input.entry - input.stop);
  const move = input.side === 'long' ? input.outcomePrice - input.entry : input.entry - input.outcomePrice;
  return risk === 0 ? 0 : move / risk;
}
