import { type ReflectionInput, resultInPercent, resultInR } from '../pipeline/reflection-input';

/**
 * One deterministic lesson from the outcome in R: a rejected candidate that would have won ≥ 1R says
 * the reviewer was too strict; one that would have lost says the rejection was right; a closed loss
 * beyond −1R says the stop slipped; other closes record the result. Without a known stop the result
 * is given in percent of entry.
 */
export function rulesReflection(input: ReflectionInput): string[] {
  const r = resultInR(input);
  const what = `${input.side} ${input.symbol} ${input.setup}`;
  if (r === null) {
    return [
      `Closed ${what} at ${resultInPercent(input).toFixed(2)}% from entry (stop unknown) after: ${input.decision}`,
    ];
  }
  if (input.kind === 'rejected_candidate') {
    return r >= 1
      ? [
          `Rejected ${what} would have made ${r.toFixed(1)}R: the rejection (${input.decision}) was too strict.`,
        ]
      : [`Rejected ${what} would have made ${r.toFixed(1)}R: the rejection held up.`];
  }
  if (r < -1)
    return [`Closed ${what} at ${r.toFixed(1)}R, beyond the planned 1R loss: exits slipped past the stop.`];
  return [`Closed ${what} at ${r.toFixed(1)}R after: ${input.decision}`];
}
