import { type FeatureVector, TIMEFRAME_MS, type VetoReason } from '@ballast/contracts';
import { confirmingViews, higherTimeframeDisagrees } from '../context';
import { meetsRewardRisk, rewardRisk } from '../risk';
import type { HourExpectancyTable } from './hour-expectancy';
import type { Strategy, StrategyProposal } from './strategy';
import type { VetoConfig } from './veto-config';

export type Veto = { reason: VetoReason; detail: string };

/** What every rule sees: the proposal, the vector it came from, the strategy that made it. */
export interface VetoInput {
  readonly proposal: StrategyProposal;
  readonly vector: FeatureVector;
  readonly strategy: Pick<Strategy, 'name' | 'regimes'>;
}

export interface VetoContext {
  readonly config: VetoConfig;
  readonly hours: HourExpectancyTable;
}

/** A rule returns the veto it raises, or null when it has no objection. */
export type VetoRule = (input: VetoInput, context: VetoContext) => Veto | null;

export const excludedSymbol: VetoRule = ({ vector }, { config }) =>
  config.excludedSymbols.includes(vector.symbol)
    ? { reason: 'excluded_symbol', detail: `${vector.symbol} is excluded by configuration` }
    : null;

export const wrongRegime: VetoRule = ({ vector, strategy }) =>
  strategy.regimes.includes(vector.regime)
    ? null
    : {
        reason: 'wrong_regime',
        detail: `${strategy.name} trades ${strategy.regimes.join('/')} markets; the market is ${vector.regime}`,
      };

export const higherTimeframeDisagreement: VetoRule = ({ proposal, vector }, { config }) => {
  const views = confirmingViews(vector, config.confirmingTimeframes);
  const view = views.find((v) => higherTimeframeDisagrees(proposal.side, v));
  if (!view) return null;
  return {
    reason: 'higher_timeframe_disagrees',
    detail: `${proposal.side} against the ${view.timeframe} trend (${view.trend})`,
  };
};

export const rewardRiskBelowMin: VetoRule = ({ proposal }, { config }) => {
  // The nearest take-profit counts, as in the risk tier's own check.
  const ratio = rewardRisk(proposal.side, proposal.entry, proposal.stop, proposal.takeProfits);
  return meetsRewardRisk(ratio, config.minRewardRisk)
    ? null
    : {
        reason: 'reward_risk_below_min',
        detail: `reward:risk ${ratio.toFixed(2)} below ${config.minRewardRisk}`,
      };
};

/** The UTC hour an entry would be placed: when the candle the vector describes has closed. */
export function entryHourUtc(vector: Pick<FeatureVector, 'openTime' | 'timeframe'>): number {
  return new Date(vector.openTime + TIMEFRAME_MS[vector.timeframe]).getUTCHours();
}

export const negativeHourExpectancy: VetoRule = ({ vector, strategy }, { config, hours }) => {
  const hour = entryHourUtc(vector);
  const stats = hours.get(strategy.name, hour);
  if (!stats || stats.trades < config.minHourTrades || stats.expectancy >= 0) return null;
  return {
    reason: 'negative_hour_expectancy',
    detail: `${strategy.name} at ${hour}:00 UTC: expectancy ${stats.expectancy.toFixed(3)} net per trade over ${stats.trades} trades`,
  };
};

/**
 * A candidate put back after a restart is ranked when its cycle closes, which may be hours after its bar
 * (the process was down): its entry, stop and take-profits are as old as the bar, and its decision would
 * be stamped with the time it is made, so risk's stale_signal would not see that age. Older than the
 * vector age limit that refuses a late delivery, it is vetoed as such a delivery would have been.
 */
export function staleRestoredBar(
  vector: Pick<FeatureVector, 'openTime' | 'timeframe'>,
  now: number | undefined,
  maxAgeMs: number | undefined,
): Veto | null {
  if (now === undefined || maxAgeMs === undefined) return null;
  const ageMs = now - (vector.openTime + TIMEFRAME_MS[vector.timeframe]);
  return ageMs > maxAgeMs
    ? {
        reason: 'stale_data',
        detail: `bar closed ${ageMs} ms before its cycle, restored after a restart, was ranked: over the ${maxAgeMs} ms vector age limit`,
      }
    : null;
}

/** Checked in this order; the first objection is the one recorded. */
export const VETO_RULES: readonly VetoRule[] = [
  excludedSymbol,
  wrongRegime,
  higherTimeframeDisagreement,
  rewardRiskBelowMin,
  negativeHourExpectancy,
];

export function firstVeto(input: VetoInput, context: VetoContext, rules = VETO_RULES): Veto | null {
  for (const rule of rules) {
    const veto = rule(input, context);
    if (veto) return veto;
  }
  return null;
}
