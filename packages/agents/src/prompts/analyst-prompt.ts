import type { Candle, FeatureVector, SignalCandidate } from '@ballast/contracts';
import { lessonsSection } from './lessons-section';

export const ANALYST_SYSTEM =
  'You are a technical analyst for a crypto trading system. Judge the setup from the data given only. ' +
  'Prices are in the quote currency. Be concise; never invent data.';

/** How many recent candles the analyst sees: enough for structure, bounded for cost. */
export const ANALYST_CANDLES = 24;

export function analystPrompt(
  candidate: SignalCandidate,
  features: FeatureVector,
  candles: readonly Candle[],
  lessons: readonly string[],
): string {
  const recent = candles
    .slice(-ANALYST_CANDLES)
    .map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]);
  return [
    `Candidate: ${candidate.side} ${candidate.symbol} on ${candidate.exchange} ${candidate.timeframe}, setup "${candidate.setup}", entry ${candidate.entry}, stop ${candidate.stop}, targets ${candidate.takeProfits.join(', ')}.`,
    `Strategy rationale: ${candidate.rationale}`,
    `Indicators: ${JSON.stringify(features.indicators)}`,
    `Regime: ${features.regime}; volatility ${features.volatility.level} (ratio ${features.volatility.ratio}).`,
    `Support: ${features.support.join(', ') || 'none'}; resistance: ${features.resistance.join(', ') || 'none'}.`,
    `Higher timeframe: ${features.higherTimeframe ? `${features.higherTimeframe.timeframe} trend ${features.higherTimeframe.trend}, regime ${features.higherTimeframe.regime}` : 'unknown'}.`,
    `Recent candles [openTime, open, high, low, close, volume], oldest first: ${JSON.stringify(recent)}`,
    lessonsSection(lessons),
    'Give your verdict: trend, strength 0-100, entry zone, stop, take-profit, confidence 0-100, reasoning.',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
