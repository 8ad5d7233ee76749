import type { FeatureVector, MarketRegime, PositionSide } from '@ballast/contracts';

/** A strategy reads the newest vector and a few before it (oldest first) of the same series. */
export interface StrategyInput {
  readonly current: FeatureVector;
  readonly history: readonly FeatureVector[];
}

/** One trade idea before ids, ranking and vetoes are attached. */
export interface StrategyProposal {
  readonly strategy: string;
  readonly setup: string;
  readonly side: PositionSide;
  readonly entry: number;
  readonly stop: number;
  readonly takeProfits: number[];
  /** 0–100: the tier-1 score the cycle's candidates are ranked by. */
  readonly confidence: number;
  readonly rationale: string;
}

export interface Strategy {
  readonly name: string;
  /** Regimes the setup is meant for; a proposal in any other regime is vetoed as `wrong_regime`. */
  readonly regimes: readonly MarketRegime[];
  evaluate(input: StrategyInput): StrategyProposal[];
}

export function clampConfidence(value: number): number {
  return Math.min(100, Math.max(0, value));
}

export function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}
