import {
  type AgentsConfig,
  agentsConfigSchema,
  buildAgentsFromConfig,
  DEFAULT_HINDSIGHT,
} from '@ballast/agents';
import type { Bus } from '@ballast/bus';
import {
  type Clock,
  type Envelope,
  type FeatureVector,
  type IdGenerator,
  pattern,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { type Decide, defaultStrategies, HourExpectancyTable, SignalEngine, VetoConfig } from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  CandleRepository,
  type Database,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { type Logger, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { AgentDecision } from './agent-decision';
import type { SignalsConfig } from './config';
import { ReflectionLoop } from './reflection-loop';

export interface SignalsServiceDeps {
  bus: Bus;
  db: Kysely<Database>;
  log: Logger;
  metrics: Registry;
  config: SignalsConfig;
  /**
   * A decision step owned by the caller (the backtest's): replaces the agents, and no reflection runs.
   * Without it, the configured analyst and reviewer decide (the rules when no key is configured).
   */
  decide?: Decide;
  /** The agents' configuration; default: every agent on the rules, reflection on. */
  agents?: AgentsConfig;
  /** Default: the system clock and UUIDv7 ids (audit rows and lessons). */
  clock?: Clock;
  ids?: IdGenerator;
}

type DecideFor = (
  candidate: SignalCandidate,
  features: FeatureVector,
  correlationId: string,
) => Promise<SignalDecision>;

/**
 * feat.* → SignalEngine (strategies, ranking, vetoes) → sig.candidate for every candidate, vetoed ones
 * included with their reason, and sig.decision (caused by the candidate, so it shares its correlation
 * id) for each one that passed. Outcomes feed lessons back into later prompts (ReflectionLoop).
 */
export async function startSignalsService(deps: SignalsServiceDeps): Promise<AsyncDisposable> {
  const { bus, log, config } = deps;
  const engine = await signalEngine(deps);
  const { decide, reflection } = wireDecisions(deps);
  const counted = new Counter({
    name: 'ballast_signals_candidates_total',
    help: 'Signal candidates published, by strategy and outcome (passed or the veto reason).',
    labelNames: ['strategy', 'outcome'],
    registers: [deps.metrics],
  });
  const latest = new Map<string, FeatureVector>();
  const publish = async (candidate: SignalCandidate, cause: Envelope<FeatureVector>) => {
    counted.inc({ strategy: candidate.strategy, outcome: candidate.veto?.reason ?? 'passed' });
    const proposed = await bus.publish(subject(Subjects.signalCandidate, {}), candidate, { causedBy: cause });
    const features = latest.get(seriesKey(candidate)) ?? cause.payload;
    if (candidate.veto) {
      log.info({ id: candidate.id, symbol: candidate.symbol, veto: candidate.veto }, 'candidate vetoed');
      reflection?.onVetoed(candidate, features.openTime, proposed.correlationId);
      return;
    }
    const decision = await decide(candidate, features, proposed.correlationId);
    await bus.publish(subject(Subjects.signalDecision, {}), decision, { causedBy: proposed });
    reflection?.onDecision(decision, features.openTime, proposed.correlationId);
  };
  const onFeatures = async (message: Envelope<FeatureVector>) => {
    latest.set(seriesKey(message.payload), message.payload);
    await reflection?.onFeatures(message.payload);
    for (const candidate of engine.onFeatures(message.payload)) await publish(candidate, message);
  };
  await reflection?.start();
  const subscription = await bus.subscribe(pattern(Subjects.features), onFeatures, {
    durable: config.SIGNALS_DURABLE,
  });
  log.info({ reflection: reflection !== undefined }, 'signals service subscribed');
  return {
    [Symbol.asyncDispose]: async () => {
      await subscription.stop();
      await reflection?.stop();
    },
  };
}

async function signalEngine(deps: SignalsServiceDeps): Promise<SignalEngine> {
  const { config } = deps;
  const hours = new HourExpectancyTable(await new StrategyHourStatsRepository(deps.db).all());
  deps.log.info({ hourStats: hours.size }, 'hour expectancy loaded');
  return new SignalEngine({
    strategies: defaultStrategies(config.SIGNALS_STRATEGIES),
    vetoes: VetoConfig.parse({
      minRewardRisk: config.SIGNALS_MIN_REWARD_RISK,
      excludedSymbols: config.SIGNALS_EXCLUDED_SYMBOLS,
      minHourTrades: config.SIGNALS_MIN_HOUR_TRADES,
    }),
    hours,
    universe: config.SIGNALS_UNIVERSE,
  });
}

/** The caller's decision step as given, or the configured agents with their reflection loop. */
function wireDecisions(deps: SignalsServiceDeps): {
  decide: DecideFor;
  reflection: ReflectionLoop | undefined;
} {
  const given = deps.decide;
  if (given) return { decide: async (candidate) => given(candidate), reflection: undefined };
  const clock = deps.clock ?? new SystemClock();
  const ids = deps.ids ?? uuidv7Ids(clock);
  const agents = buildAgentsFromConfig(deps.agents ?? agentsConfigSchema.parse({}), {
    clock,
    ids,
    audit: new AgentCallRepository(deps.db),
    metrics: deps.metrics,
    log: deps.log,
  });
  const lessons = new AgentLessonRepository(deps.db);
  const step = new AgentDecision({ agents, lessons, candles: new CandleRepository(deps.db), log: deps.log });
  const reflection = agents.lessonConfig.enabled
    ? new ReflectionLoop({
        bus: deps.bus,
        reflect: { reflector: agents.reflector, lessons, lessonConfig: agents.lessonConfig, clock, ids },
        hindsight: {
          ...DEFAULT_HINDSIGHT,
          bars: deps.config.SIGNALS_HINDSIGHT_BARS ?? DEFAULT_HINDSIGHT.bars,
        },
        log: deps.log,
        metrics: deps.metrics,
        durable: `${deps.config.SIGNALS_DURABLE}-positions`,
      })
    : undefined;
  return { decide: (c, f, id) => step.decide(c, f, id), reflection };
}

function seriesKey(s: { exchange: string; symbol: string; timeframe: string }): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}
