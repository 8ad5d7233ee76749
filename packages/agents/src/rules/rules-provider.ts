import type { AnalystVerdict, FeatureVector, ReviewVerdict, SignalCandidate } from '@ballast/contracts';
import type { ReflectionInput } from '../pipeline/reflection-input';
import { rulesAnalyst } from './rules-analyst';
import { rulesReflection } from './rules-reflection';
import { MIN_REWARD_RISK, rulesReviewer } from './rules-reviewer';

/**
 * The deterministic, offline "provider": the default when no API key is configured and the fallback
 * whenever a model cannot answer. It reads the candidate and features, never a prompt.
 */
export class RulesProvider {
  readonly id = 'rules';
  readonly model = 'rules';

  /** `minRewardRisk`: the reviewer's floor, the veto tier's (SIGNALS_MIN_REWARD_RISK). */
  constructor(private readonly options: { minRewardRisk: number } = { minRewardRisk: MIN_REWARD_RISK }) {}

  analyse(candidate: SignalCandidate, features: FeatureVector): AnalystVerdict {
    return rulesAnalyst(candidate, features);
  }

  review(candidate: SignalCandidate, features: FeatureVector, analyst: AnalystVerdict): ReviewVerdict {
    return rulesReviewer(candidate, features, analyst, this.options.minRewardRisk);
  }

  reflect(input: ReflectionInput): string[] {
    return rulesReflection(input);
  }
}
