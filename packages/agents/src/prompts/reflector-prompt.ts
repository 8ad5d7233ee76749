import { type ReflectionInput, resultInPercent, resultInR } from '../pipeline/reflection-input';

export const REFLECTOR_SYSTEM =
  'You review finished trading decisions and write at most 3 short, concrete lessons (under 280 characters each) ' +
  'that would improve the next decision on the same symbol and setup.';

export function reflectorPrompt(input: ReflectionInput): string {
  const what = input.kind === 'closed_position' ? 'Closed position' : 'Rejected candidate (hindsight)';
  const r = resultInR(input);
  const result =
    r === null ? `${resultInPercent(input).toFixed(2)}% from entry, stop unknown` : `${r.toFixed(2)}R`;
  return [
    `${what}: ${input.side} ${input.symbol}, setup "${input.setup}", entry ${input.entry}, stop ${input.stop ?? 'unknown'}, outcome price ${input.outcomePrice} (${result}).`,
    `Decision at the time: ${input.decision}`,
  ].join('\n');
}
