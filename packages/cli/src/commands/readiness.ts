import { readFileSync } from 'node:fs';
import {
  assumedRulesWarning,
  type BacktestConfigInput,
  type BacktestResult,
  type DroppedBacktest,
  equityAtLive,
  gatherReadiness,
  loadRecordedDecisions,
  missingOfBacktest,
  openPositions,
  paperEquity,
  runBacktest,
  strategyTrades,
} from '@ballast/backtest';
import { type Clock, type IdGenerator, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import {
  type CriterionResult,
  closedTradeDrawdownPct,
  DEFAULT_OVERRIDE_TTL_MS,
  DEFAULT_READINESS_THRESHOLDS,
  DEFAULT_UPTIME_SAMPLE_MS,
  evaluateReadiness,
  type LifecycleStep,
  liveResults,
  looserThresholds,
  nextLifecycle,
  type ReadinessReport,
  type ReadinessThresholds,
  type RecentLive,
  readinessKeys,
  redCriteria,
  type StoredBacktest,
  type StoredLifecycle,
} from '@ballast/core';
import {
  BotStateRepository,
  ClosedTradeRepository,
  type ConfigChange,
  ConfigChangeRepository,
  createDb,
  type DbHandle,
  DEFAULT_PGLITE_DIR,
  diffConfig,
  LiveOverrideRepository,
  migrate,
} from '@ballast/db';
import { readLifecycle, recordLifecycle, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import type { Command } from 'commander';
import {
  gateBacktestConfig,
  looserBacktestConfig,
  readGateConfigFile,
  readThresholdsFile,
} from './readiness-config';
import { replayedLine } from './recorded-decisions';
import { seedFlag } from './seed-flag';
import { timeframeFlag } from './timeframe-flag';

export interface ReadinessRunOptions {
  /** Strategies to judge; default: every strategy with a closed trade. */
  strategies?: string[];
  /** The paper account's starting equity (`--equity`); omitted: the account's own, as risk stored it. */
  initialEquity?: number;
  thresholds: ReadinessThresholds;
  /** A backtest result JSON (`ballast backtest --json`) to judge as the same-period backtest. */
  backtestFile?: string;
  /** Candle files to backtest the paper period on instead. */
  data?: {
    files: string[];
    timeframe: Timeframe;
    symbols?: string[];
    seed: number;
    exchangeInfoFile?: string;
    /**
     * The backtest config live's signals settings are in (`--config`): confirming timeframes, excluded
     * symbols, strategies. Hour stats are refused (in-sample); lower costs or no reviewer loosen the gate.
     */
    config?: BacktestConfigInput;
  };
  override?: { reason: string; by: string };
  /** How long an override recorded now keeps the strategy live without an all-green gate; default 30 days. */
  overrideTtlMs?: number;
  /** Who runs the gate, for the configuration audit (`--by`, else $USER). */
  actor?: string;
  /** The services' UPTIME_SAMPLE_MS: uptime expects one sample per service per interval. */
  uptimeSampleMs?: number;
}

export interface StrategyReadiness {
  strategy: string;
  report: ReadinessReport;
  paperStart: number | null;
  lifecycle: LifecycleStep & { from: 'shadow' | 'live' };
  overrideRecorded: boolean;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Why the gate's backtest was not counted, as printed. */
function notCounted(dropped: DroppedBacktest): string {
  if (dropped.reason === 'other_period')
    return `the backtest spans ${day(dropped.from)}..${day(dropped.to)}, not the paper period ${day(dropped.paperStart)}..${day(dropped.now)}; not counted`;
  return `the backtest replayed ${dropped.replayed.join(', ')}, not every market of the paper period (${dropped.markets.join(', ')}); not counted`;
}

interface Deps {
  db: DbHandle['db'];
  clock: Clock;
  ids: IdGenerator;
  print: (line: string) => void;
}

/**
 * One strategy's part of a backtest result: the run's own figures when every trade is the strategy's,
 * else its trades alone (expectancy, closed-trade drawdown); none: a backtest of 0 trades, never green.
 */
export function strategyBacktest(result: BacktestResult, strategy: string): StoredBacktest {
  const period = { from: result.meta.from, to: result.meta.to, symbols: result.meta.symbols };
  const own = result.trades.filter((t) => t.strategy === strategy);
  const m = result.metrics;
  if (own.length > 0 && own.length === result.trades.length)
    return { ...period, trades: m.trades, expectancy: m.expectancy, maxDrawdownPct: m.max_drawdown_pct };
  const net = own.reduce((s, t) => s + t.pnl, 0);
  const closed = own.map((t) => ({ pnl: t.pnl, closeTime: t.exit_time }));
  return {
    ...period,
    trades: own.length,
    expectancy: own.length === 0 ? 0 : net / own.length,
    maxDrawdownPct: closedTradeDrawdownPct(closed, result.meta.initial_equity),
  };
}

async function sameperiodBacktest(
  strategy: string,
  start: number,
  now: number,
  options: ReadinessRunOptions,
  { db, print }: Pick<Deps, 'db' | 'print'>,
): Promise<StoredBacktest | undefined> {
  if (options.backtestFile) {
    const result = readBacktestFile(options.backtestFile);
    const own = strategyBacktest(result, strategy);
    if (own.trades < result.trades.length)
      print(
        `${strategy}: judged on its own ${own.trades} of the backtest's ${result.trades.length} trades${own.trades === 0 ? ' (none: red)' : ''}`,
      );
    return own;
  }
  if (!options.data) return undefined;
  const step = TIMEFRAME_MS[options.data.timeframe];
  const from = Math.floor(start / step) * step;
  // `agents: 'recorded'`: the decisions paper's agents kept over the period, from the database judged.
  const recordedDecisions =
    options.data.config?.agents === 'recorded' ? await loadRecordedDecisions(db, from) : undefined;
  const result = await runBacktest({
    files: options.data.files,
    timeframe: options.data.timeframe,
    from,
    to: now,
    strategy,
    seed: options.data.seed,
    config: {
      ...options.data.config,
      initialEquity: options.initialEquity,
      ...(options.data.exchangeInfoFile ? { exchangeInfoFile: options.data.exchangeInfoFile } : {}),
    },
    ...(options.data.symbols ? { symbols: options.data.symbols } : {}),
    ...(recordedDecisions ? { recordedDecisions } : {}),
  });
  const assumed = assumedRulesWarning(result.meta.market_rules);
  if (assumed) print(`${strategy}: ${assumed}`);
  if (result.meta.recorded_verdicts) print(`${strategy}: ${replayedLine(result.meta.recorded_verdicts)}`);
  const m = result.metrics;
  // The candles' own bounds: data ending before now does not cover the paper period, whatever was asked.
  const { from: dataFrom, to: dataTo, symbols } = result.meta;
  return {
    from: dataFrom,
    to: dataTo,
    symbols,
    trades: m.trades,
    expectancy: m.expectancy,
    maxDrawdownPct: m.max_drawdown_pct,
  };
}

/**
 * Live results since the strategy went live, for the demotion rule: drawdown from the accounts' equity
 * recorded when it went live (as risk's review measures it); for an older record, from their equity
 * then as read back now, or from --equity when given. Its positions entered since and still open count
 * at their last candle close (one without a candle at entry): a loss held open is lost as one closed.
 */
async function recentLive(
  { db, clock }: Pick<Deps, 'db' | 'clock'>,
  strategy: string,
  stored: StoredLifecycle,
  given: number | undefined,
): Promise<RecentLive> {
  const trades = await strategyTrades(db, strategy);
  const recorded = stored.equityAtLive && Object.values(stored.equityAtLive).reduce((s, e) => s + e, 0);
  const equity = recorded ?? (await paperEquity(db, clock, given, trades, stored.since))?.value;
  const open = await openPositions(db, clock, strategy, stored.since);
  const openPnl = open.reduce((sum, p) => sum + (p.pnl ?? 0), 0);
  return liveResults(trades, stored.since, equity ?? refuseUnknownEquity(strategy), openPnl);
}

async function judge(strategy: string, options: ReadinessRunOptions, deps: Deps): Promise<StrategyReadiness> {
  const { db, clock } = deps;
  const now = clock.now();
  const state = new BotStateRepository(db, clock);
  const gather = {
    db,
    clock,
    strategy,
    initialEquity: options.initialEquity,
    uptimeSampleMs: options.uptimeSampleMs,
  };
  const first = await gatherReadiness(gather);
  const equity = first.equity?.value;
  const required = (): number => equity ?? refuseUnknownEquity(strategy);
  if (first.paperStart !== null) required();
  const backtest =
    first.paperStart === null
      ? undefined
      : await sameperiodBacktest(
          strategy,
          first.paperStart,
          now,
          { ...options, initialEquity: required() },
          deps,
        );
  const config = backtestConfigOf(options);
  // The config the backtest was earned with is kept beside it, so a verdict can be traced to its costs.
  if (backtest)
    await state.set(readinessKeys.backtest(strategy), { ...backtest, ...(config ? { config } : {}) });
  const { inputs, paperStart, droppedBacktest } = backtest
    ? await gatherReadiness({ ...gather, initialEquity: equity, backtest })
    : first;
  if (backtest && droppedBacktest) deps.print(`${strategy}: ${notCounted(droppedBacktest)}`);
  const report = evaluateReadiness(inputs, options.thresholds);
  const stored = await readLifecycle(deps, strategy);
  const from = stored?.state ?? 'shadow';
  // An override lets the strategy go live from the run that records it, once: an old one (say, given
  // before a demotion) does not promote it again; going live again takes a new override.
  const expiresAt = now + (options.overrideTtlMs ?? DEFAULT_OVERRIDE_TTL_MS);
  if (options.override && !report.ok && from === 'live')
    deps.print(`${strategy}: live already; override not recorded (it only promotes from shadow)`);
  // Recorded with the lifecycle step, in its transaction: when risk (or another run) moved the record
  // meanwhile, nothing is promoted and no override is left standing for a promotion that never happened.
  const override =
    options.override && !report.ok && from === 'shadow'
      ? { ...options.override, redCriteria: redCriteria(report), expiresAt }
      : undefined;
  const overrideRecorded = override !== undefined;
  const recordOverride =
    override &&
    (async (trx: DbHandle['db']) => {
      await new LiveOverrideRepository(trx).record({
        id: deps.ids(),
        strategy,
        reason: override.reason,
        by: override.by,
        redCriteria: override.redCriteria,
        createdAt: now,
        expiresAt,
      });
      await audit(
        { ...deps, db: trx },
        {
          kind: 'readiness_override',
          subject: strategy,
          actor: override.by,
          reason: override.reason,
          diff: diffConfig({}, { override: { redCriteria: override.redCriteria, expiresAt } }),
          figures: figures(report, null, options.thresholds, config),
        },
      );
    });
  const recent =
    stored?.state === 'live' ? await recentLive(deps, strategy, stored, options.initialEquity) : null;
  const loosened = [
    ...looserThresholds(options.thresholds).map((l) => `${l.name} ${l.value} (default ${l.default})`),
    ...looserBacktest(options),
  ];
  const step = nextLifecycle(stored ?? { state: 'shadow' }, report, recent, {
    now,
    loosened,
    ...(overrideRecorded ? { override: { expiresAt } } : {}),
  });
  const promoted = from === 'shadow' && step.state === 'live';
  const atLive = promoted ? await equityAtLive(db, clock, first.trades, paperStart ?? now) : null;
  const recorded = await recordLifecycle(deps, {
    strategy,
    stored,
    step,
    ...(atLive ? { equityAtLive: atLive } : {}),
    actor: options.override?.by ?? options.actor ?? 'cli',
    source: 'cli',
    figures: figures(report, recent, options.thresholds, config),
    ...(recordOverride ? { alongside: recordOverride } : {}),
  });
  if (!recorded) await refuseMovedLifecycle(deps, strategy, overrideRecorded);
  return { strategy, report, paperStart, lifecycle: { ...step, from }, overrideRecorded };
}

/** Risk (or another run) changed the lifecycle while this run judged it: its step is stale, never written. */
async function refuseMovedLifecycle(deps: Deps, strategy: string, override: boolean): Promise<never> {
  const now = await readLifecycle(deps, strategy);
  throw new Error(
    `${strategy}: its lifecycle changed while judged (now ${now?.state ?? 'unjudged'}${now ? `: ${now.reason}` : ''}); nothing recorded${override ? ', the override neither' : ''}, run again`,
  );
}

/** Sharpe and drawdown need the account's equity: never judged against a made-up one. */
function refuseUnknownEquity(strategy: string): never {
  throw new Error(
    `${strategy}: no account equity to measure returns and drawdown on: risk has stored none for the venues it traded on; give --equity <the paper account's starting equity>`,
  );
}

/**
 * The config the gate's backtest ran with: `--config` for a `--data` backtest, the settings a
 * `--backtest` file recorded (its costs, review and any hour table), none for a file that predates them.
 */
function backtestConfigOf(options: ReadinessRunOptions): BacktestConfigInput | undefined {
  if (!options.backtestFile) return options.data?.config;
  return readBacktestFile(options.backtestFile).meta.gate_settings;
}

/** A file that does not say what its backtest cost and how it was reviewed cannot earn an unloosened green. */
const UNRECORDED_SETTINGS = 'backtest file without its settings (costs, agents): run ballast backtest again';

/** What looser than the defaults the gate's backtest was, by its config or by the file's silence. */
function looserBacktest(options: ReadinessRunOptions): string[] {
  const config = backtestConfigOf(options);
  if (options.backtestFile && !config) return [UNRECORDED_SETTINGS];
  return looserBacktestConfig(config);
}

function readBacktestFile(file: string): BacktestResult {
  let result: unknown;
  try {
    result = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `--backtest ${file}: not a readable backtest result (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const missing = missingOfBacktest(result);
  if (missing.length > 0)
    throw new Error(
      `--backtest ${file}: not a backtest result (ballast backtest --json): ${missing.join(', ')}`,
    );
  return result as BacktestResult;
}

/**
 * The figures that moved a lifecycle: each criterion's value, the thresholds they were judged against,
 * the backtest config given, and the live results when judged live.
 */
function figures(
  report: ReadinessReport,
  recent: RecentLive | null,
  thresholds: ReadinessThresholds,
  backtestConfig: BacktestConfigInput | undefined,
): Record<string, unknown> {
  const criteria = Object.fromEntries(report.criteria.map((c) => [c.criterion, c.value]));
  return {
    ...criteria,
    thresholds,
    ...(backtestConfig ? { backtestConfig } : {}),
    ...(recent ? { live: recent } : {}),
  };
}

/** Appends to the configuration audit trail shown on the dashboard. */
function audit(
  deps: Deps,
  change: Pick<ConfigChange, 'kind' | 'subject' | 'actor' | 'reason' | 'diff' | 'figures'>,
): Promise<void> {
  return new ConfigChangeRepository(deps.db).record({
    ...change,
    id: deps.ids(),
    source: 'cli',
    createdAt: deps.clock.now(),
  });
}

function figure(c: CriterionResult): string {
  if (c.value === null) return 'unmeasured';
  const digits = c.criterion === 'closed_trades' ? 0 : 2;
  const unit = ['max_drawdown', 'stop_coverage', 'uptime'].includes(c.criterion) ? '%' : '';
  return `${c.value.toFixed(digits)}${unit}`;
}

/** One strategy's verdict as text: a headline, then one line per criterion with its figure and mark. */
export function formatReadiness(r: StrategyReadiness): string[] {
  const head = `${r.strategy}: ${r.report.ok ? 'GREEN' : 'RED'} (lifecycle ${r.lifecycle.from} → ${r.lifecycle.state}: ${r.lifecycle.reason}${r.overrideRecorded ? ', override recorded' : ''})`;
  const lines = r.report.criteria.map((c) => {
    const target = c.target === undefined ? '' : ` (target ${c.target})`;
    const note = c.note ? ` [${c.note}]` : '';
    return `  ${c.ok ? 'green' : 'red  '}  ${c.criterion.padEnd(13)} ${figure(c).padStart(11)}  needs ${c.comparison} ${c.threshold}${target}${note}`;
  });
  return [head, ...lines];
}

/** A run's outcome: the strategies judged, and those that could not be, each with why. */
export interface ReadinessRun {
  judged: StrategyReadiness[];
  failed: { strategy: string; error: string }[];
}

/**
 * Judges each strategy, records backtest, override and lifecycle, and prints the verdicts. Each on its
 * own: one that cannot be judged (no equity known for it, say) is printed with why and the run goes on.
 */
export async function runReadiness(options: ReadinessRunOptions, deps: Deps): Promise<ReadinessRun> {
  const names =
    options.strategies ??
    [...new Set((await new ClosedTradeRepository(deps.db).all()).map((t) => t.strategy))]
      .filter((s): s is string => s !== null)
      .sort();
  // An override is one operator's word on one strategy's red criteria, never a batch.
  if (options.override && names.length !== 1)
    throw new Error(
      `--override needs exactly one --strategy, got ${names.length ? names.join(', ') : 'none'}`,
    );
  if (names.length === 0) deps.print('no strategy has a closed trade; name one with --strategy');
  const config = backtestConfigOf(options);
  if (config)
    gateBacktestConfig(config, options.backtestFile ? `--backtest ${options.backtestFile}` : '--config');
  const looser = looserThresholds(options.thresholds);
  if (looser.length > 0)
    deps.print(
      `thresholds looser than the defaults: ${looser.map((l) => `${l.name} ${l.value} (default ${l.default})`).join(', ')}`,
    );
  const looserConfig = looserBacktest(options);
  if (looserConfig.length > 0)
    deps.print(`backtest config looser than the defaults: ${looserConfig.join(', ')}`);
  const run: ReadinessRun = { judged: [], failed: [] };
  for (const strategy of names) {
    try {
      const r = await judge(strategy, options, deps);
      for (const line of formatReadiness(r)) deps.print(line);
      run.judged.push(r);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      deps.print(`${strategy}: not judged: ${error}`);
      run.failed.push({ strategy, error });
    }
  }
  return run;
}

/**
 * 1: a strategy could not be judged, or none was (a gate that judged nothing is no green light for a
 * `readiness && deploy`); 2: every one was, and one is red; 0: every one judged is green.
 */
export function readinessExitCode(run: ReadinessRun): 0 | 1 | 2 {
  if (run.failed.length > 0 || run.judged.length === 0) return 1;
  return run.judged.some((r) => !r.report.ok) ? 2 : 0;
}

export interface ReadinessFlags {
  strategy?: string;
  equity?: string;
  backtest?: string;
  data?: string;
  timeframe: string;
  symbols?: string;
  seed: string;
  exchangeInfo?: string;
  config?: string;
  thresholds?: string;
  override?: boolean;
  overrideDays: string;
  reason?: string;
  by?: string;
  pgliteDir: string;
  uptimeSampleMs: string;
}

/** The longest term an override may be given (`--override-days`). */
const MAX_OVERRIDE_DAYS = 365;

export function optionsFrom(flags: ReadinessFlags): ReadinessRunOptions {
  // A --backtest result was run with its own config: naming another would only look applied.
  if (flags.config && !flags.data) throw new Error('--config applies to --data backtests only');
  if (flags.override && (!flags.reason?.trim() || !flags.by?.trim()))
    throw new Error('--override needs --reason "<why>" and --by <name>');
  if (flags.override && flags.strategy?.split(',').length !== 1)
    throw new Error('--override needs exactly one --strategy');
  const equity = flags.equity === undefined ? undefined : Number(flags.equity);
  if (equity !== undefined && !(equity > 0 && Number.isFinite(equity)))
    throw new Error(`--equity: a positive number, got ${flags.equity}`);
  const overrideDays = Number(flags.overrideDays);
  // An override is a term, not a waiver: one without a real end would never be judged again.
  if (!(overrideDays > 0 && overrideDays <= MAX_OVERRIDE_DAYS))
    throw new Error(
      `--override-days: a number of days above 0 and at most ${MAX_OVERRIDE_DAYS}, got ${flags.overrideDays}`,
    );
  const strategies = flags.strategy?.split(',').map((s) => s.trim());
  if (strategies?.includes('')) throw new Error(`--strategy: an empty name in ${flags.strategy}`);
  const uptimeSampleMs = Number(flags.uptimeSampleMs);
  if (!(Number.isSafeInteger(uptimeSampleMs) && uptimeSampleMs > 0))
    throw new Error(`--uptime-sample-ms: a positive whole number of ms, got ${flags.uptimeSampleMs}`);
  return {
    ...(equity === undefined ? {} : { initialEquity: equity }),
    overrideTtlMs: overrideDays * 86_400_000,
    thresholds: flags.thresholds ? readThresholdsFile(flags.thresholds) : DEFAULT_READINESS_THRESHOLDS,
    ...(strategies ? { strategies } : {}),
    ...(flags.backtest ? { backtestFile: flags.backtest } : {}),
    ...(flags.data
      ? {
          data: {
            files: flags.data.split(',').map((f) => f.trim()),
            timeframe: timeframeFlag(flags.timeframe),
            seed: seedFlag(flags.seed),
            ...(flags.symbols ? { symbols: flags.symbols.split(',').map((s) => s.trim()) } : {}),
            ...(flags.exchangeInfo ? { exchangeInfoFile: flags.exchangeInfo } : {}),
            ...(flags.config ? { config: readGateConfigFile(flags.config) } : {}),
          },
        }
      : {}),
    ...(flags.override ? { override: { reason: flags.reason ?? '', by: flags.by ?? '' } } : {}),
    actor: flags.by?.trim() || process.env.USER || 'cli',
    uptimeSampleMs,
  };
}

/**
 * The --uptime-sample-ms default: the shell's UPTIME_SAMPLE_MS, where 0 or empty means what it means to
 * a service (no sampling of its own), not an interval: then 60 s. Anything else is checked as the flag is.
 */
export function uptimeSampleMsDefault(env: string | undefined): string {
  const raw = env?.trim();
  return !raw || Number(raw) === 0 ? String(DEFAULT_UPTIME_SAMPLE_MS) : raw;
}

/** `ballast readiness`: the go-live gate per strategy, green or red with the figure behind each criterion. */
export function registerReadinessCommand(program: Command): void {
  program
    .command('readiness')
    .description(
      'go-live gate per strategy from closed trades, uptime and stop samples, and a same-period backtest',
    )
    .option('--strategy <names>', 'comma-separated strategies (default: every strategy with a closed trade)')
    .option(
      '--equity <n>',
      "paper account starting equity, for returns and drawdown (default: the account's, from the equity risk stored)",
    )
    .option('--backtest <file>', 'a backtest result JSON over the paper period (ballast backtest --json)')
    .option('--data <files>', 'or: candle CSVs to backtest the paper period on')
    .option('--timeframe <tf>', 'timeframe of --data', '1h')
    .option('--symbols <list>', 'only these symbols of --data')
    .option('--seed <n>', 'backtest seed', '1')
    .option('--exchange-info <file>', 'a Binance spot exchangeInfo for --data: tick, step and minimums')
    .option(
      '--config <file>',
      "backtest config JSON for --data, as ballast backtest takes it: give live's signals settings (confirmTimeframes, excludedSymbols, strategies, minRewardRisk) so the verdict is earned by the strategy set that will trade; hourStats/minHourTrades are refused (in-sample), lower fees or slippage or agents none promote as green_loosened",
    )
    .option('--thresholds <file>', 'JSON overriding the default thresholds')
    .option(
      '--uptime-sample-ms <ms>',
      "the services' UPTIME_SAMPLE_MS: uptime is healthy samples over one per interval per trading service",
      uptimeSampleMsDefault(process.env.UPTIME_SAMPLE_MS),
    )
    .option('--override', 'record an override letting the strategy go live with its current red criteria')
    .option(
      '--override-days <n>',
      'days (at most 365) the override keeps the strategy live unless the gate turns all green; then it is demoted',
      String(DEFAULT_OVERRIDE_TTL_MS / 86_400_000),
    )
    .option('--reason <text>', 'why (with --override)')
    .option('--by <name>', 'who (with --override; recorded with lifecycle changes, default $USER)')
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .action(async (flags: ReadinessFlags) => {
      const options = optionsFrom(flags);
      const handle = await createDb({
        url: process.env.DATABASE_URL,
        pgliteDir: flags.pgliteDir,
        poolSize: 1,
      });
      try {
        await migrate(handle.db);
        const clock = new SystemClock();
        const run = await runReadiness(options, {
          db: handle.db,
          clock,
          ids: uuidv7Ids(clock),
          print: (line) => console.log(line),
        });
        process.exitCode = readinessExitCode(run);
      } finally {
        await handle.db.destroy();
      }
    });
}
