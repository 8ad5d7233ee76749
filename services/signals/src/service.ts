import {
  type AgentsConfig,
  agentsConfigSchema,
  type BreakerState,
  type BudgetSpent,
  buildAgentsFromConfig,
  DEFAULT_HINDSIGHT,
  spentTodayUsd,
} from '@ballast/agents';
import type { Bus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type Envelope,
  type FeatureVector,
  type IdGenerator,
  pattern,
  type SignalCandidate,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  type Decide,
  defaultStrategies,
  derivedUuid,
  type HourExpectancy,
  SignalEngine,
  VetoConfig,
} from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  CandleRepository,
  ClosedTradeRepository,
  type Database,
  SignalDecisionRepository,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { type Logger, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { AgentDecision } from './agent-decision';
import type { SignalsConfig } from './config';
import { type DecideFor, FirstDecision, type FirstDecisionDeps } from './first-decision';
import { RefreshingHourTable } from './hour-stats-refresh';
import { ReflectionLoop } from './reflection-loop';
import { StrategySwitchboard } from './strategy-switches';

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
  /** Waits of the service's own (a close waiting for risk's record); default: timers on wall time. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Where the hour expectancy table is read, at start and again after every close; default: the
   * strategy_hour_stats table. A backtest, where nothing writes that table during a run, hands the rows
   * it found at start rather than have each close read them back from PGlite.
   */
  hourStats?: { all(): Promise<readonly HourExpectancy[]> };
  /** Where each candidate's first decision is kept; default: the signal_decisions table. */
  firstDecisions?: FirstDecisionDeps['store'];
}

/**
 * feat.* → SignalEngine (strategies, ranking, vetoes) → sig.candidate for every candidate, vetoed ones
 * included with their reason, and sig.decision (caused by the candidate, so it shares its correlation
 * id) for each one that passed: the first decision made for it, stored before it is published, so a
 * redelivery publishes the same one again. Outcomes feed lessons back into later prompts, written off
 * the decision path (ReflectionLoop).
 */
export async function startSignalsService(deps: SignalsServiceDeps): Promise<AsyncDisposable> {
  const { bus, log, config } = deps;
  const clock = deps.clock ?? new SystemClock();
  const switches = new StrategySwitchboard({
    ...deps,
    clock,
    durable: `${config.SIGNALS_DURABLE}-config`,
  });
  await switches.start();
  const { engine, hours } = await signalEngine(deps, switches);
  const wired = await wireDecisions({ ...deps, clock });
  const { reflection } = wired;
  const decisions = new FirstDecision({
    decide: wired.decide,
    store: deps.firstDecisions ?? new SignalDecisionRepository(deps.db),
    clock,
  });
  const counted = new Counter({
    name: 'ballast_signals_candidates_total',
    help: 'Signal candidates published, by strategy and outcome (passed or the veto reason).',
    labelNames: ['strategy', 'outcome'],
    registers: [deps.metrics],
  });
  const latest = new Map<string, FeatureVector>();
  /** Publishes a candidate; a vetoed one is done once stored, a passing one goes to the agents. */
  const propose = (candidate: SignalCandidate, cause: Envelope<FeatureVector>) => {
    counted.inc({ strategy: candidate.strategy, outcome: candidate.veto?.reason ?? 'passed' });
    // Ids derived from the candidate: a redelivered vector publishes the same messages, de-duplicated.
    const proposing = bus.publish(subject(Subjects.signalCandidate, {}), candidate, {
      causedBy: cause,
      id: derivedUuid('sig-candidate', candidate.id),
    });
    // Awaited in conclude; a failure there must not also surface as an unhandled rejection.
    proposing.catch(() => undefined);
    return { candidate, proposing };
  };
  const conclude = async (
    { candidate, proposing }: ReturnType<typeof propose>,
    cause: Envelope<FeatureVector>,
  ): Promise<void> => {
    const features = latest.get(seriesKey(candidate)) ?? cause.payload;
    if (candidate.veto) {
      const proposed = await proposing;
      log.info({ id: candidate.id, symbol: candidate.symbol, veto: candidate.veto }, 'candidate vetoed');
      reflection?.onVetoed(candidate, features.openTime, proposed.correlationId);
      return;
    }
    // The candidate carries its cause's correlation id: the agents decide while the stream stores it,
    // and the decision is published only once the candidate is stored.
    const [proposed, { decision, decidedAt, earlier }] = await Promise.all([
      proposing,
      decisions.decide(candidate, features, cause.correlationId),
    ]);
    if (earlier)
      log.info(
        { id: candidate.id, approved: decision.approved },
        'candidate decided before: same decision again',
      );
    // Stamped with when it was made: one made before an outage goes out as old as it is, and risk's
    // stale_signal refuses it as it would have had it arrived late the first time.
    await bus.publish(subject(Subjects.signalDecision, {}), decision, {
      causedBy: proposed,
      id: derivedUuid('sig-decision', candidate.id),
      eventTime: decidedAt,
    });
    reflection?.onDecision(decision, features.openTime, proposed.correlationId);
  };
  const onFeatures = async (message: Envelope<FeatureVector>) => {
    latest.set(seriesKey(message.payload), message.payload);
    reflection?.onFeatures(message.payload);
    // Every candidate of the cycle goes out at once (the stream keeps their order), so the best one
    // waits for no vetoed one's acknowledgement; decisions then follow one by one in rank order.
    const proposals = engine.onFeatures(message.payload).map((candidate) => propose(candidate, message));
    for (const proposal of proposals) await conclude(proposal, message);
  };
  await reflection?.start();
  const refreshes = new Counter({
    name: 'ballast_signals_hour_stats_refreshes_total',
    help: 'Re-reads of the hour expectancy table, one per closed position.',
    registers: [deps.metrics],
  });
  const hoursWatch = await hours.watch(bus, `${config.SIGNALS_DURABLE}-hours`, (rows, recorded) => {
    refreshes.inc();
    if (recorded) log.debug({ hourStats: rows }, 'hour expectancy refreshed after a close');
    else
      log.warn({ hourStats: rows }, 'close not recorded by risk in time: hour expectancy read as it stands');
  });
  const subscription = await bus.subscribe(pattern(Subjects.features), onFeatures, {
    durable: config.SIGNALS_DURABLE,
  });
  log.info({ reflection: reflection !== undefined }, 'signals service subscribed');
  return {
    [Symbol.asyncDispose]: async () => {
      await subscription.stop();
      await hoursWatch.stop();
      await switches.stop();
      await reflection?.stop();
    },
  };
}

async function signalEngine(
  deps: SignalsServiceDeps,
  switches: StrategySwitchboard,
): Promise<{ engine: SignalEngine; hours: RefreshingHourTable }> {
  const { config } = deps;
  const repository = deps.hourStats ?? new StrategyHourStatsRepository(deps.db);
  const trades = new ClosedTradeRepository(deps.db);
  const waitMs = config.SIGNALS_HOUR_STATS_WAIT_MS ?? 10_000;
  const hours = new RefreshingHourTable(
    () => repository.all(),
    await repository.all(),
    waitMs > 0
      ? {
          recorded: (tradeKey) => trades.has(tradeKey),
          waitMs,
          pollMs: 100,
          sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        }
      : undefined,
  );
  deps.log.info({ hourStats: hours.size }, 'hour expectancy loaded');
  const engine = new SignalEngine({
    strategies: switches.wrap(defaultStrategies(config.SIGNALS_STRATEGIES)),
    vetoes: VetoConfig.parse({
      minRewardRisk: config.SIGNALS_MIN_REWARD_RISK,
      excludedSymbols: config.SIGNALS_EXCLUDED_SYMBOLS,
      minHourTrades: config.SIGNALS_MIN_HOUR_TRADES,
      confirmingTimeframes: config.SIGNALS_CONFIRM_TIMEFRAMES,
    }),
    hours,
    universe: config.SIGNALS_UNIVERSE,
  });
  return { engine, hours };
}

/** Publishes an alert without waiting for it; a failed publish is logged, never thrown. */
function alertRaiser(deps: SignalsServiceDeps): (alert: Alert) => void {
  return (alert) =>
    void deps.bus
      .publish(subject(Subjects.alert, {}), alert)
      .catch((err: unknown) => deps.log.warn({ err, kind: alert.kind }, 'alert not published'));
}

/**
 * Operators hear when a vendor's breaker opens (decisions fall back to the rules) and when it closes
 * again; the half-open probe in between is not news.
 */
function breakerAlerts(
  deps: SignalsServiceDeps,
  config: AgentsConfig,
): (provider: string, state: BreakerState) => void {
  const open = new Set<string>();
  const raise = alertRaiser(deps);
  const fallback = fallbackSaid(config);
  return (provider, state) => {
    if (state === 'open' && !open.has(provider)) {
      open.add(provider);
      raise({
        severity: 'critical',
        kind: 'llm_breaker_open',
        message: `LLM breaker open for ${provider}: ${fallback} until it recovers`,
        labels: { provider },
      });
    } else if (state === 'closed' && open.delete(provider))
      raise({
        severity: 'info',
        kind: 'llm_breaker_closed',
        message: `LLM breaker closed for ${provider}: agents answer again`,
        labels: { provider },
      });
  };
}

/** What an alert says the agents do while their calls fail (REVIEWER_FALLBACK). */
function fallbackSaid(config: AgentsConfig): string {
  return config.REVIEWER_FALLBACK === 'reject'
    ? 'the analyst decides by the rules and the reviewer rejects every candidate'
    : 'agents decide by the rules';
}

/**
 * Operators hear once per UTC day (the budget tells once) that the agents' daily budget is spent: every
 * call takes its fallback until the next UTC day, which must not go unnoticed all day.
 */
function budgetAlert(deps: SignalsServiceDeps, config: AgentsConfig): (spent: BudgetSpent) => void {
  const raise = alertRaiser(deps);
  const reviewer = fallbackSaid(config);
  return ({ dayStartMs, spentUsd, limitUsd }) => {
    const day = new Date(dayStartMs).toISOString().slice(0, 10);
    raise({
      severity: 'critical',
      kind: 'llm_budget_spent',
      message: `LLM daily budget spent ($${usd(spentUsd)} of $${usd(limitUsd)} on ${day} UTC): ${reviewer} until the next UTC day`,
      labels: { day },
    });
  };
}

/**
 * The caller's decision step as given, or the configured agents with their reflection loop; their
 * daily budget starts from what the audit says today's calls already cost.
 */
async function wireDecisions(deps: SignalsServiceDeps & { clock: Clock }): Promise<{
  decide: DecideFor;
  reflection: ReflectionLoop | undefined;
}> {
  const given = deps.decide;
  if (given) return { decide: async (candidate) => given(candidate), reflection: undefined };
  const { clock } = deps;
  const ids = deps.ids ?? uuidv7Ids(clock);
  const config = deps.agents ?? agentsConfigSchema.parse({});
  const agents = buildAgentsFromConfig(config, {
    clock,
    ids,
    audit: new AgentCallRepository(deps.db),
    metrics: deps.metrics,
    log: deps.log,
    onBreakerState: breakerAlerts(deps, config),
    onBudgetSpent: budgetAlert(deps, config),
    spentTodayUsd: await spentTodayUsd(deps.db, clock),
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

/** Dollars to at most four decimals, without trailing zeros (5, 5.03, 0.001). */
function usd(amount: number): string {
  return String(Number(amount.toFixed(4)));
}

function seriesKey(s: { exchange: string; symbol: string; timeframe: string }): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}
