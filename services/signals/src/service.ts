import type { Bus } from '@ballast/bus';
import {
  type Envelope,
  type FeatureVector,
  pattern,
  type SignalCandidate,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  approveWithoutReview,
  type Decide,
  defaultStrategies,
  HourExpectancyTable,
  SignalEngine,
  VetoConfig,
} from '@ballast/core';
import { type Database, StrategyHourStatsRepository } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { SignalsConfig } from './config';

export interface SignalsServiceDeps {
  bus: Bus;
  db: Kysely<Database>;
  log: Logger;
  metrics: Registry;
  config: SignalsConfig;
  /** The decision step; the LLM analyst/reviewer tier replaces the rule-only default. */
  decide?: Decide;
}

/**
 * feat.* → SignalEngine (strategies, ranking, vetoes) → sig.candidate for every candidate, vetoed ones
 * included with their reason, and sig.decision for each one that passed.
 */
export async function startSignalsService(deps: SignalsServiceDeps): Promise<AsyncDisposable> {
  const { bus, log, config } = deps;
  const decide = deps.decide ?? approveWithoutReview;
  const hours = new HourExpectancyTable(await new StrategyHourStatsRepository(deps.db).all());
  const engine = new SignalEngine({
    strategies: defaultStrategies(config.SIGNALS_STRATEGIES),
    vetoes: VetoConfig.parse({
      minRewardRisk: config.SIGNALS_MIN_REWARD_RISK,
      excludedSymbols: config.SIGNALS_EXCLUDED_SYMBOLS,
      minHourTrades: config.SIGNALS_MIN_HOUR_TRADES,
    }),
    hours,
    universe: config.SIGNALS_UNIVERSE,
  });
  const counted = new Counter({
    name: 'ballast_signals_candidates_total',
    help: 'Signal candidates published, by strategy and outcome (passed or the veto reason).',
    labelNames: ['strategy', 'outcome'],
    registers: [deps.metrics],
  });
  const publish = async (candidate: SignalCandidate, cause: Envelope<FeatureVector>) => {
    counted.inc({ strategy: candidate.strategy, outcome: candidate.veto?.reason ?? 'passed' });
    await bus.publish(subject(Subjects.signalCandidate, {}), candidate, { causedBy: cause });
    if (candidate.veto) {
      log.info({ id: candidate.id, symbol: candidate.symbol, veto: candidate.veto }, 'candidate vetoed');
      return;
    }
    await bus.publish(subject(Subjects.signalDecision, {}), await decide(candidate), { causedBy: cause });
  };
  const onFeatures = async (message: Envelope<FeatureVector>) => {
    for (const candidate of engine.onFeatures(message.payload)) await publish(candidate, message);
  };
  const subscription = await bus.subscribe(pattern(Subjects.features), onFeatures, {
    durable: config.SIGNALS_DURABLE,
  });
  log.info({ hourStats: hours.size }, 'signals service subscribed');
  return { [Symbol.asyncDispose]: () => subscription.stop() };
}
