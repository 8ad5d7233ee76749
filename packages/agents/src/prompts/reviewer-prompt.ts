import type { AnalystVerdict, FeatureVector, SignalCandidate } from '@ballast/contracts';
import { lessonsSection } from './lessons-section';

export const REVIEWER_SYSTEM =
  'You are the risk reviewer of a crypto trading system. Approve or reject the trade and give reasons. ' +
  'You may only shrink the position: sizeMultiplier is between 0 and 1, where 1 keeps the planned size. ' +
  'Hard risk limits are enforced elsewhere and cannot be changed by you.';

export function reviewerPrompt(
  candidate: SignalCandidate,
  features: FeatureVector,
  analyst: AnalystVerdict,
  lessons: readonly string[],
): string {
  return [
    `Candidate: ${candidate.side} ${candidate.symbol} ${candidate.timeframe}, setup "${candidate.setup}", entry ${candidate.entry}, stop ${candidate.stop}, targets ${candidate.takeProfits.join(', ')}, strategy confidence ${candidate.confidence}.`,
    `Regime: ${features.regime}; volatility ${features.volatility.level}, suggested position scale ${features.volatility.positionScale}.`,
    `Analyst verdict: ${JSON.stringify(analyst)}`,
    lessonsSection(lessons),
    'Decide: approve (true/false), sizeMultiplier (0 to 1), and up to 10 short reasons.',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
