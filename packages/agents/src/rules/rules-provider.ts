import type { AnalystVerdict, FeatureVector, ReviewVerdict, SignalCandidate } from '@ballast/contracts';
import type { ReflectionInput } from '../pipeline/reflection-input';
import { rulesAnalyst } from './rules-analyst';
import { rulesReflection } from './rules-reflection';
import { rulesReviewer } from './rules-reviewer';

/**
 * The deterministic, offline "provider": the default when no API key is configured and the fallback
 * whenever a model cannot answer. It reads the candidate and features, never a prompt.
 */
export class RulesProvider {
  readonly id = 'rules';
  readonly model = 'rules';

  analyse(candidate: SignalCandidate, features: FeatureVector): AnalystVerdict {
    return rulesAnalyst(candidate, features);
  }

  review(candidate: SignalCandidate, features: FeatureVector, analyst: AnalystVerdict): ReviewVerdict {
    return rulesReviewer(candidate, features, analyst);
  }

  reflect(input: ReflectionInput): string[] {
    return rulesReflection(input);
  }
}
