import { type Agents, decideWithAgents, type LessonStore } from '@ballast/agents';
import type { Candle, FeatureVector, SignalCandidate, SignalDecision } from '@ballast/contracts';
import { TIMEFRAME_MS } from '@ballast/contracts';
import type { CandleRepository } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';

/** Candles the analyst is shown, ending with the candidate's bar (prompts keep the last 24). */
const RECENT_BARS = 24;

export interface AgentDecisionDeps {
  readonly agents: Agents;
  readonly lessons: LessonStore;
  readonly candles: CandleRepository;
  readonly log: Logger;
  /** SIGNALS_MIN_REWARD_RISK: the rules reviewer rejects below the floor the vetoes apply, no other. */
  readonly minRewardRisk: number;
}

/**
 * The analyst + reviewer decision for one candidate, with the candidate's own feature vector and the
 * stored candles of its series (none when market-data has not stored any: the prompt says so). When
 * both agents are the rules, no model reads the prompt and the rules decide from the candidate and
 * its vector alone, so the candles are not read (the audited prompt then shows none).
 */
export class AgentDecision {
  private readonly promptRead: boolean;

  constructor(private readonly deps: AgentDecisionDeps) {
    const { analyst, reviewer } = deps.agents;
    this.promptRead = analyst.providerLabel !== 'rules' || reviewer.providerLabel !== 'rules';
  }

  async decide(
    candidate: SignalCandidate,
    features: FeatureVector,
    correlationId: string,
  ): Promise<SignalDecision> {
    const recentCandles = this.promptRead ? await this.recentCandles(features) : [];
    return decideWithAgents(
      candidate,
      { correlationId, features, recentCandles },
      {
        analyst: this.deps.agents.analyst,
        reviewer: this.deps.agents.reviewer,
        lessons: this.deps.lessons,
        lessonConfig: this.deps.agents.lessonConfig,
        reviewerFallback: this.deps.agents.reviewerFallback,
        minRewardRisk: this.deps.minRewardRisk,
      },
    );
  }

  private async recentCandles(features: FeatureVector): Promise<Candle[]> {
    const barMs = TIMEFRAME_MS[features.timeframe];
    try {
      return await this.deps.candles.range({
        exchange: features.exchange,
        symbol: features.symbol,
        timeframe: features.timeframe,
        fromOpenTime: features.openTime - (RECENT_BARS - 1) * barMs,
        toOpenTime: features.openTime + 1,
      });
    } catch (err) {
      this.deps.log.warn(
        { symbol: features.symbol, why: err instanceof Error ? err.name : 'unknown' },
        'recent candles unavailable; deciding without them',
      );
      return [];
    }
  }
}
