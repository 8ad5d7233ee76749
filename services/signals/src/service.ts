import {
  type AgentName,
  type Agents,
  type AgentsConfig,
  AgentsConfigError,
  type AuthFailed,
  agentsConfigSchema,
  type BreakerState,
  type BudgetSpent,
  type BuildAgentsDeps,
  buildAgentsFromConfig,
  DEFAULT_HINDSIGHT,
  resolveProviders,
  spentTodayUsd,
  type UnusableReplies,
  worstAgentCallMs,
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
  type DecidedCandidate,
  type DueAnswer,
  defaultStrategies,
  derivedUuid,
  type HourExpectancy,
  SignalEngine,
  switchedOffDecision,
  VetoConfig,
} from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  CandleRepository,
  ClosedTradeRepository,
  type Database,
  SignalDecisionRepository,
  SignalWaitingVectorRepository,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { ConfigError, type Logger, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { AgentDecision } from './agent-decision';
import { outageText, unusableText } from './agent-outage-text';
import type { SignalsConfig } from './config';
import { EngineReport, seriesKey } from './engine-report';
import { type Decided, type DecideFor, FirstDecision, type FirstDecisionDeps } from './first-decision';
import { RefreshingHourTable } from './hour-stats-refresh';
import { OwedCandidates, type Settling } from './owed-candidates';
import { primeHistory, type RetainedVectors } from './primed-history';
import { ReflectionLoop } from './reflection-loop';
import { rewardRiskFloorWarning } from './reward-risk-floors';
import { StrategySwitchboard } from './strategy-switches';
import { WaitingCycles, type WaitingVectorStore } from './waiting-cycles';

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
  /** Where the vectors of cycles still waiting for symbols are kept; default: signal_waiting_vectors. */
  waitingVectors?: WaitingVectorStore;
  /**
   * Where the vectors published before this run are read back to prime the strategies' history (the
   * live NatsBus); without it nothing is primed (a backtest never restarts).
   */
  retained?: RetainedVectors;
}

/**
 * feat.* → SignalEngine (strategies, ranking, vetoes) → sig.candidate for every candidate, vetoed ones
 * included with their reason, and sig.decision (caused by the candidate, so it shares its correlation
 * id) for each one that passed: the first decision made for it, stored before it is published, so a
 * redelivery publishes the same one again. Outcomes feed lessons back into later prompts, written off
 * the decision path (ReflectionLoop).
 */
/** The running service; a backtest, whose clock moves only with its data, runs the deadline check itself. */
export interface SignalsService extends AsyncDisposable {
  /** How long after its close a cycle missing symbols waits (SIGNALS_CYCLE_GRACE_MS). */
  readonly cycleGraceMs: number;
  /** Ranks and publishes the cycles past their deadline on the clock, as the live timer does. */
  checkDeadlines(): Promise<void>;
}

export async function startSignalsService(deps: SignalsServiceDeps): Promise<SignalsService> {
  const { bus, log, config } = deps;
  const clock = deps.clock ?? new SystemClock();
  const floors = rewardRiskFloorWarning(config.SIGNALS_MIN_REWARD_RISK, config.RISK_LIMITS_JSON);
  if (floors) log.warn({ reason: 'reward_risk_floors' }, floors);
  const switches = new StrategySwitchboard({
    ...deps,
    clock,
    durable: `${config.SIGNALS_DURABLE}-config`,
  });
  await switches.start();
  const { engine, hours } = await signalEngine({ ...deps, clock }, switches);
  const wired = await wireDecisions({ ...deps, clock });
  const { reflection } = wired;
  const decisions = new FirstDecision({
    decide: wired.decide,
    store: deps.firstDecisions ?? new SignalDecisionRepository(deps.db),
    clock,
  });
  const counted = new Counter({
    name: 'ballast_signals_candidates_total',
    help: 'Signal candidates published, by strategy and outcome (passed or the veto reason); a redelivery is not counted again.',
    labelNames: ['strategy', 'outcome'],
    registers: [deps.metrics],
  });
  const switchedOff = new Counter({
    name: 'ballast_signals_switched_off_total',
    help: 'Passing candidates decided not approved because their strategy was switched off after proposing',
    labelNames: ['strategy'],
    registers: [deps.metrics],
  });
  // Born at 0 per strategy: a panel or rate over it exists before the first switch-off.
  for (const strategy of switches.strategies) switchedOff.inc({ strategy }, 0);
  const report = new EngineReport(log, deps.metrics, maxVectorAge(config));
  /** Each vector's envelope while its cycle may wait: a candidate is caused by its own vector. */
  const causes: Causes = { byKey: new Map(), order: [], oldest: 0 };
  const waiting = new WaitingCycles(deps.waitingVectors ?? new SignalWaitingVectorRepository(deps.db), log);
  // Primed first: a restored vector then takes its own place in its series' history.
  if (deps.retained) await primeHistory(engine, deps.retained, clock, log);
  const restored = await waiting.restore();
  for (const { envelope } of restored) keepCause(causes, envelope);
  engine.restore(restored.map((r) => r.waiting));
  if (restored.length > 0)
    log.info(
      { vectors: restored.length },
      'cycles left open by the last run restored: ranked when complete or due',
    );
  /** Publishes a candidate; a vetoed one is done once stored, a passing one goes to the agents. */
  const propose = ({ candidate, vector }: DecidedCandidate, first: boolean) => {
    const cause = causes.byKey.get(vectorKey(vector));
    if (!cause) throw new Error(`the vector of candidate ${candidate.id} is no longer known`);
    if (first) counted.inc({ strategy: candidate.strategy, outcome: candidate.veto?.reason ?? 'passed' });
    // Ids derived from the candidate: a redelivered vector publishes the same messages, de-duplicated.
    const proposing = bus.publish(subject(Subjects.signalCandidate, {}), candidate, {
      causedBy: cause,
      id: derivedUuid('sig-candidate', candidate.id),
    });
    // Awaited in conclude; a failure there must not also surface as an unhandled rejection.
    proposing.catch(() => undefined);
    return { candidate, vector, cause, proposing, first };
  };
  const conclude = async ({
    candidate,
    vector,
    cause,
    proposing,
    first,
  }: ReturnType<typeof propose>): Promise<void> => {
    if (candidate.veto) {
      const proposed = await proposing;
      if (first) logVeto(candidate);
      reflection?.onVetoed(candidate, vector.openTime, proposed.correlationId);
      return;
    }
    // The candidate carries its cause's correlation id: the agents decide while the stream stores it,
    // and the decision is published only once the candidate is stored.
    const off = !switches.enabled(candidate.strategy);
    const [proposed, decided] = await Promise.all([
      proposing,
      decisions.decide(candidate, vector, cause.correlationId, off ? switchedOffStep : undefined),
    ]);
    if (!mayPublish(candidate, decided, off)) return;
    const { decision, decidedAt } = decided;
    // Stamped with when it was made: one made before an outage goes out as old as it is, and risk's
    // stale_signal refuses it as it would have had it arrived late the first time.
    await bus.publish(subject(Subjects.signalDecision, {}), decision, {
      causedBy: proposed,
      id: derivedUuid('sig-decision', candidate.id),
      eventTime: decidedAt,
    });
    reflection?.onDecision(decision, vector.openTime, proposed.correlationId);
  };
  const logVeto = ({ id, symbol, veto }: SignalCandidate) => {
    if (veto?.reason !== 'stale_data') return log.info({ id, symbol, veto }, 'candidate vetoed');
    // Only a cycle put back after a restart is vetoed so (SignalEngine.restore): the restart came too late.
    log.warn(
      { id, symbol, veto },
      'candidate of a cycle restored after a restart, its bar older than SIGNALS_MAX_VECTOR_AGE_MS: vetoed, not decided',
    );
  };
  /**
   * Whether a candidate's decision goes out, said in the log. A strategy switched off since it proposed
   * gets no approval: the operator was told it is off, and risk does not read the switches. Its decision
   * is the one stored first (ADR 8), looked up before any step runs, so the switch-off is counted and
   * logged only when it made the decision. An approval stored before the switch-off and asked again (its
   * publish failed: a redelivery, an owed retry, a cycle put back at start, ADR 18) may never have gone
   * out: it is withheld, and no decision is published this time. One that did go out stays (the stream
   * has it); a rejection is not published in its place, as past the duplicate window it would be a
   * second, contradicting decision for the same candidate.
   */
  const mayPublish = (candidate: SignalCandidate, { decision, earlier }: Decided, off: boolean) => {
    const { id, strategy } = candidate;
    if (!earlier && off) {
      switchedOff.inc({ strategy });
      log.warn(
        { id, strategy, reason: 'strategy_disabled' },
        'candidate of a strategy switched off after it proposed: not approved',
      );
      return true;
    }
    if (!earlier) return true;
    if (off && decision.approved) {
      log.warn(
        { id, strategy, reason: 'strategy_disabled' },
        'approval stored before its strategy was switched off, perhaps never published: withheld, no decision published',
      );
      return false;
    }
    log.info({ id, approved: decision.approved }, 'candidate decided before: same decision again');
    return true;
  };
  // Every candidate of a cycle goes out at once (the stream keeps their order), so the best one waits
  // for no vetoed one's acknowledgement; decisions then follow one by one in rank order.
  const settleEach = async (items: readonly Settling[]) => {
    const proposals = items.map(({ decided, first }) => propose(decided, first));
    for (const proposal of proposals) await conclude(proposal);
  };
  const settle = (decided: readonly DecidedCandidate[], first: boolean) =>
    settleEach(decided.map((d) => ({ decided: d, first })));
  const owed = new OwedCandidates(settleEach, OWED_ATTEMPTS, (dropped, err) =>
    log.error(
      { err, candidates: dropped.map((d) => d.candidate.id) },
      'candidates of cycles past their deadline never published: dropped',
    ),
  );
  /** Cycles closed outside a delivery whose candidates are not all out yet (their vectors stay kept). */
  let owedCycles: DueAnswer['cycles'] = [];
  /** Cycles ranked outside a delivery: retried on the next check until published. */
  const closedOutside = async ({ cycles, decided }: DueAnswer) => {
    report.cycle(cycles);
    owedCycles = [...owedCycles, ...cycles];
    await owed.pay(decided);
    const paid = owedCycles;
    owedCycles = [];
    await waiting.settled(paid);
  };
  const onFeatures = async (message: Envelope<FeatureVector>) => {
    reflection?.onFeatures(message.payload);
    keepCause(causes, message);
    const answer = engine.receive(message.payload, message.emittedAt);
    report.vector(message.payload, answer);
    // Kept before the delivery is acknowledged: from then on nothing but the kept row brings it back.
    if (answer.waiting) await waiting.keep(message, answer.waiting);
    await settle(answer.decided, answer.outcome !== 'repeat');
    await waiting.settled(answer.cycles);
    // Only now may the engine forget its answer: a redelivery after any failure above gets it again.
    engine.settled(message.payload);
  };
  const deadlines = cycleDeadlines(config, () => closedOutside(engine.due()), log);
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
    cycleGraceMs: cycleGrace(config),
    checkDeadlines: () => closedOutside(engine.due()),
    [Symbol.asyncDispose]: async () => {
      await deadlines.stop();
      await subscription.stop();
      // Cycles still waiting for symbols are ranked now: their vectors were acknowledged.
      await closedOutside(engine.flush()).catch((err: unknown) =>
        log.error(
          { err, owed: owed.size },
          'candidates of cycles open at shutdown not all published: their kept vectors put them back at the next start',
        ),
      );
      await hoursWatch.stop();
      await switches.stop();
      await reflection?.stop();
    },
  };
}

async function signalEngine(
  deps: SignalsServiceDeps & { clock: Clock },
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
    clock: deps.clock,
    maxVectorAgeMs: maxVectorAge(config),
    maxQueueMs:
      config.SIGNALS_MAX_QUEUE_MS ?? worstQueueMs(config, deps.agents ?? agentsConfigSchema.parse({})),
    cycleGraceMs: cycleGrace(config),
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

/** Which provider each agent asks ('rules' for none): what an outage of one vendor takes away. */
type AgentProviders = Readonly<Record<AgentName, string>>;

/**
 * Operators hear when a vendor's breaker opens (the agents asking it take their fallback, said per
 * agent) and when it closes again; the half-open probe in between is not news.
 */
function breakerAlerts(
  deps: SignalsServiceDeps,
  config: AgentsConfig,
  providers: AgentProviders,
): (provider: string, state: BreakerState) => void {
  const open = new Set<string>();
  const raise = alertRaiser(deps);
  return (provider, state) => {
    if (state === 'open' && !open.has(provider)) {
      open.add(provider);
      const instead = outageText(providers, config.REVIEWER_FALLBACK, provider);
      raise({
        severity: 'critical',
        kind: 'llm_breaker_open',
        message: `LLM breaker open for ${provider}: ${instead} until it recovers`,
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

/**
 * Operators hear when an agent's model answers unusably call after call (not JSON, off the schema, cut
 * off, refused): its vendor is up, so its breaker stays closed, while every call is paid for and a
 * reviewer's rejects its candidate.
 */
function unusableRepliesAlert(deps: SignalsServiceDeps): (report: UnusableReplies) => void {
  const raise = alertRaiser(deps);
  return ({ agent, provider, count, reason }) =>
    raise({
      severity: 'critical',
      kind: 'llm_replies_unusable',
      message: `LLM ${agent} on ${provider}: ${count} replies in a row could not be used (last: ${reason}), each paid for: ${unusableText(agent)}`,
      labels: { agent, provider },
    });
}

/**
 * Operators hear at once, once per vendor (the agents tell once until the vendor accepts the key again),
 * that a vendor refuses our key: no retry or breaker heals that, and until someone fixes the key every
 * agent asking that vendor takes its fallback (a reviewer's rejects every candidate by default).
 */
function authFailedAlert(
  deps: SignalsServiceDeps,
  config: AgentsConfig,
  providers: AgentProviders,
): (report: AuthFailed) => void {
  const raise = alertRaiser(deps);
  return ({ provider, variable, detail }) => {
    const instead = outageText(providers, config.REVIEWER_FALLBACK, provider);
    raise({
      severity: 'critical',
      kind: 'llm_auth_failed',
      message: `LLM ${provider} refused our API key (${detail}): ${instead} until ${variable ?? 'the key'} is fixed and signals restarted; retrying will not help`,
      labels: { provider },
    });
  };
}

/**
 * Operators hear once per UTC day (the budget tells once) that the agents' daily budget is spent: every
 * call takes its fallback until the next UTC day, which must not go unnoticed all day.
 */
function budgetAlert(
  deps: SignalsServiceDeps,
  config: AgentsConfig,
  providers: AgentProviders,
): (spent: BudgetSpent) => void {
  const raise = alertRaiser(deps);
  return ({ dayStartMs, spentUsd, limitUsd }) => {
    const day = new Date(dayStartMs).toISOString().slice(0, 10);
    const instead = outageText(providers, config.REVIEWER_FALLBACK);
    raise({
      severity: 'critical',
      kind: 'llm_budget_spent',
      message: `LLM daily budget spent ($${usd(spentUsd)} of $${usd(limitUsd)} on ${day} UTC): ${instead} until the next UTC day`,
      labels: { day },
    });
  };
}

/**
 * The agents as configured; agents that cannot run so (a provider chosen without its key, a paid model
 * without a price) refuse the start as a ConfigError, which exits 78: a restart would not heal it.
 */
function agentsOrConfigError(config: AgentsConfig, deps: BuildAgentsDeps): Agents {
  try {
    return buildAgentsFromConfig(config, deps);
  } catch (err) {
    if (err instanceof AgentsConfigError) throw new ConfigError(err.problems);
    throw err;
  }
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
  if (given)
    return { decide: async (candidate, features) => given(candidate, features), reflection: undefined };
  const { clock } = deps;
  const ids = deps.ids ?? uuidv7Ids(clock);
  const config = deps.agents ?? agentsConfigSchema.parse({});
  const providers = resolveProviders(config).choices;
  const agents = agentsOrConfigError(config, {
    clock,
    ids,
    audit: new AgentCallRepository(deps.db),
    metrics: deps.metrics,
    log: deps.log,
    onBreakerState: breakerAlerts(deps, config, providers),
    onBudgetSpent: budgetAlert(deps, config, providers),
    onUnusableReplies: unusableRepliesAlert(deps),
    onAuthFailed: authFailedAlert(deps, config, providers),
    spentTodayUsd: await spentTodayUsd(deps.db, clock),
  });
  const lessons = new AgentLessonRepository(deps.db);
  const step = new AgentDecision({
    agents,
    lessons,
    candles: new CandleRepository(deps.db),
    log: deps.log,
    minRewardRisk: deps.config.SIGNALS_MIN_REWARD_RISK,
  });
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

/** The decision of a candidate whose strategy was switched off since it proposed: no agent is asked. */
const switchedOffStep: DecideFor = async (candidate) => switchedOffDecision(candidate);

const DEFAULT_MAX_VECTOR_AGE_MS = 60_000;
const DEFAULT_CYCLE_GRACE_MS = 30_000;
const DEFAULT_CYCLE_CHECK_MS = 5_000;
/** Far more vectors than can wait in open cycles (universe × timeframes × a few bars). */
const CAUSES_KEPT = 4_096;
/** Checks a cycle's candidates are retried in before they are given up (a minute at the default 5 s). */
const OWED_ATTEMPTS = 12;

function cycleGrace(config: SignalsConfig): number {
  return config.SIGNALS_CYCLE_GRACE_MS ?? DEFAULT_CYCLE_GRACE_MS;
}

function maxVectorAge(config: SignalsConfig): number {
  return config.SIGNALS_MAX_VECTOR_AGE_MS ?? DEFAULT_MAX_VECTOR_AGE_MS;
}

/**
 * Analyst and reviewer, each at its worst (every attempt timing out, each backoff at its cap), for each
 * symbol of a bar.
 */
function worstQueueMs(config: SignalsConfig, agents: AgentsConfig): number {
  const decision = worstAgentCallMs(agents) * 2;
  return Math.max(maxVectorAge(config), decision * Math.max(1, config.SIGNALS_UNIVERSE.length));
}

const vectorKey = (v: FeatureVector): string => `${seriesKey(v)}|${v.openTime}`;

/**
 * The first envelope of each recent vector by key, and the keys in the order kept: the oldest is read
 * from `order`, since a Map's first key is found by walking past every entry deleted before it (the
 * front of a map that forgets one per vector).
 */
interface Causes {
  byKey: Map<string, Envelope<FeatureVector>>;
  order: string[];
  /** Index in `order` of the oldest key still kept. */
  oldest: number;
}

/** The first envelope of each recent vector (a redelivery keeps it), the oldest forgotten past the cap. */
function keepCause(causes: Causes, message: Envelope<FeatureVector>): void {
  const key = vectorKey(message.payload);
  if (causes.byKey.has(key)) return;
  causes.byKey.set(key, message);
  causes.order.push(key);
  if (causes.byKey.size <= CAUSES_KEPT) return;
  causes.byKey.delete(causes.order[causes.oldest++] as string);
  if (causes.oldest >= CAUSES_KEPT) {
    causes.order.splice(0, causes.oldest);
    causes.oldest = 0;
  }
}

/**
 * Ranks cycles past their deadline between vectors, every SIGNALS_CYCLE_CHECK_MS of wall time (0: never;
 * a backtest's clock moves only with its data, and its next vector closes them). One check at a time; a
 * failed one is logged, and its candidates are retried by the next (OwedCandidates).
 */
function cycleDeadlines(
  config: SignalsConfig,
  check: () => Promise<void>,
  log: Logger,
): { stop(): Promise<void> } {
  const every = config.SIGNALS_CYCLE_CHECK_MS ?? DEFAULT_CYCLE_CHECK_MS;
  if (every === 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = check()
      .catch((err: unknown) => log.error({ err }, 'cycles past their deadline not all published: retried'))
      .finally(() => {
        running = undefined;
      });
  }, every);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
