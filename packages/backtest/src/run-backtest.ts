import {
  type Candle,
  type FeatureVector,
  type SignalDecision,
  type StopEvent,
  TIMEFRAME_MS,
  type Timeframe,
} from '@ballast/contracts';
import { FeatureEngine, warmUpReach } from '@ballast/core';
import {
  type BacktestConfig,
  type BacktestConfigInput,
  onlyStrategy,
  parseBacktestConfig,
} from './backtest-config';
import { BacktestError } from './backtest-error';
import type { BacktestGateSettings, BacktestResult, EquityPoint } from './backtest-result';
import { BacktestRuntime } from './backtest-runtime';
import { checkConfirmTimeframes } from './confirmable-timeframes';
import { type CandleFile, loadCandleFile, symbolFromFileName } from './load-candles';
import { marketRulesBook } from './market-rules-source';
import { computeMetrics } from './metrics';
import { type RecordedDecisionRow, RecordedVerdicts } from './recorded-verdicts';
import { type LoadedFile, refuseRepeatedBars } from './repeated-bars';
import { type ReplayStep, replaySteps } from './replay-steps';

export const FILL_MODEL =
  'entries fill at the open of the bar after the signal, plus slippageBps against the order, rounded to the tick ' +
  "against the order, plus the taker fee; unlimited depth at that price; a market's last bar has no bar after it, " +
  'so no entry is taken on it (risk denies it stale_data, as on a market whose feed is down). ' +
  'While a position or a resting order is ' +
  'open on a market, its bars print along a path (open, the extreme nearer the open, the other extreme, close) and ' +
  'at every stop or take-profit level the path crosses: a stop or take-profit fills in the bar that reached it, at ' +
  'its level (the open if the bar opened past it) with the same slippage and fee; a stop is a spot stop-limit, ' +
  'its limit stops.limitOffsetBps beyond it, locking the coins it covers: a bar opening past that limit leaves it ' +
  'unfilled, and the stops service cancels it and sells at market at that print; a resting limit fills in full on ' +
  'a print through its price; stops trail at bar closes; ' +
  'positions still open after the last bar are closed at its close, as a kill with flatten closes them (each ' +
  "market's stop cancelled right before its close)";

export interface RunBacktestOptions {
  /** Binance kline CSV files (.csv or .csv.gz); the symbol comes from the name unless given. */
  files: Array<string | CandleFile>;
  /** Only these symbols (normalised, `BTC-USDT`); default: every file's. */
  symbols?: string[];
  timeframe: Timeframe;
  /** Inclusive, epoch ms on candle open time. */
  from?: number;
  /** Exclusive, epoch ms on candle open time. */
  to?: number;
  /** Run only this shipped strategy (trend_pullback, bollinger_breakout, mean_reversion). */
  strategy?: string;
  config?: BacktestConfigInput;
  seed: number;
  onProgress?: (done: number, total: number) => void;
  /** Sees every stop event of the stops service with its virtual time. */
  onStopEvent?: (event: StopEvent, time: number) => void;
  /** Sees every feature vector the features service publishes. */
  onFeatures?: (vector: FeatureVector) => void;
  /** Sees every decision the signals service publishes (a record of them replays the run's verdicts). */
  onSignalDecision?: (decision: SignalDecision) => void;
  /**
   * `agents: 'recorded'`: the signals service's kept decisions (signal_decisions, e.g. read with
   * loadRecordedDecisions from a paper deployment's database), replayed per candidate id.
   */
  recordedDecisions?: readonly RecordedDecisionRow[];
}

/** The candles of the steps from `i` on that close at the same instant as step `i`. */
function barsClosingWith(steps: readonly ReplayStep[], i: number): Candle[] {
  const bars: Candle[] = [];
  for (let k = i; k < steps.length; k++) {
    bars.push(steps[k]!.candle);
    if (steps[k]!.lastAtTime) break;
  }
  return bars;
}

/** The candles a run replays (for reports), loaded and filtered the same way. */
export function loadBacktestCandles(options: RunBacktestOptions): Candle[] {
  return loadAll(options, parseBacktestConfig(options.config));
}

/**
 * The candles before `from` that a live deployment would hold at that instant: the features service's
 * default warm-up of them (per symbol, the newest `warmUpBars` within core's warmUpReach, as features
 * replays them), so a run that starts mid-file starts warm and converged, as live does.
 */
function loadHistory(options: RunBacktestOptions, config: BacktestConfig): Candle[] {
  if (options.from === undefined) return [];
  const bars = new FeatureEngine().warmUpBars(options.timeframe);
  const candles = loadRange(options, config, {
    from: options.from - warmUpReach(bars) * TIMEFRAME_MS[options.timeframe],
    to: options.from,
  });
  return newestPerSymbol(candles, bars);
}

/** Each symbol's newest `count` candles, in the order given. */
function newestPerSymbol(candles: readonly Candle[], count: number): Candle[] {
  const times = new Map<string, number[]>();
  for (const c of candles) {
    const list = times.get(c.symbol);
    if (list) list.push(c.openTime);
    else times.set(c.symbol, [c.openTime]);
  }
  const oldest = new Map<string, number>();
  for (const [symbol, list] of times) {
    list.sort((a, b) => b - a);
    oldest.set(symbol, list[Math.min(count, list.length) - 1]!);
  }
  return candles.filter((c) => c.openTime >= oldest.get(c.symbol)!);
}

/**
 * Symbols asked for that no file holds: refused naming what the files hold, where filtering them out
 * left a run with no candles and no word of why (a misspelt `BTC/USDT`, a file not given).
 */
function refuseUnknownSymbols(options: RunBacktestOptions): void {
  if (!options.symbols) return;
  const held = new Set<string>();
  for (const entry of options.files) {
    const file = typeof entry === 'string' ? { path: entry } : entry;
    const symbol = file.symbol ?? symbolFromFileName(file.path);
    if (symbol) held.add(symbol);
  }
  const unknown = options.symbols.filter((s) => !held.has(s));
  if (unknown.length > 0)
    throw new BacktestError(
      'bad_input',
      `no file holds ${unknown.join(', ')}: the files hold ${[...held].sort().join(', ')} (symbols are written BTC-USDT)`,
    );
}

function loadAll(options: RunBacktestOptions, config: BacktestConfig): Candle[] {
  refuseUnknownSymbols(options);
  const range = {
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
  };
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from)
    throw new BacktestError(
      'bad_input',
      `the range is empty: to ${isoMinute(range.to)} is not after from ${isoMinute(range.from)}`,
    );
  const candles = loadRange(options, config, range);
  if (candles.length === 0)
    throw new BacktestError(
      'no_data',
      `no candles in the selected files, symbols and range${coverageNote(options, config, range)}`,
    );
  return candles;
}

/** What each symbol's files hold, when a range was asked for: an empty run says where the data is. */
function coverageNote(
  options: RunBacktestOptions,
  config: BacktestConfig,
  range: { from?: number; to?: number },
): string {
  if (range.from === undefined && range.to === undefined) return '';
  const spans = new Map<string, { first: number; last: number }>();
  for (const c of loadRange(options, config, {})) {
    const span = spans.get(c.symbol);
    if (!span) spans.set(c.symbol, { first: c.openTime, last: c.openTime });
    else {
      span.first = Math.min(span.first, c.openTime);
      span.last = Math.max(span.last, c.openTime);
    }
  }
  if (spans.size === 0) return '';
  const held = [...spans].sort(([a], [b]) => a.localeCompare(b));
  return `; the files hold ${held.map(([symbol, s]) => `${symbol} ${isoMinute(s.first)} to ${isoMinute(s.last)}`).join(', ')} (bar open times)`;
}

const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function loadRange(
  options: RunBacktestOptions,
  config: BacktestConfig,
  range: { from?: number; to?: number },
): Candle[] {
  const wanted = options.symbols ? new Set(options.symbols) : undefined;
  const files: LoadedFile[] = options.files.map((entry) => {
    const file = typeof entry === 'string' ? { path: entry } : entry;
    const loaded = loadCandleFile(file, {
      exchange: config.exchange,
      timeframe: options.timeframe,
      ...range,
    });
    return { path: file.path, candles: wanted ? loaded.filter((c) => wanted.has(c.symbol)) : loaded };
  });
  refuseRepeatedBars(files);
  return files.flatMap((f) => f.candles);
}

/** The record `agents: 'recorded'` replays; refused without one, and given without that mode. */
function recordedVerdicts(config: BacktestConfig, options: RunBacktestOptions): RecordedVerdicts | undefined {
  const rows = options.recordedDecisions;
  if (config.agents !== 'recorded') {
    if (rows)
      throw new BacktestError('bad_config', `recorded decisions given, but agents is '${config.agents}'`);
    return undefined;
  }
  if (!rows)
    throw new BacktestError(
      'bad_config',
      "agents 'recorded' needs the recorded decisions (ballast backtest --agents recorded reads them from DATABASE_URL)",
    );
  return new RecordedVerdicts(rows);
}

/**
 * Replays recorded candles through the services' own handlers on a virtual clock and returns the
 * trade list, the equity curve, the decision trail and the metrics. Same input, same result.
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestResult> {
  let config = parseBacktestConfig(options.config);
  if (options.strategy) config = onlyStrategy(config, options.strategy);
  checkConfirmTimeframes(config, options.timeframe);
  const candles = loadAll(options, config);
  const steps = replaySteps(candles);
  const symbols = [...new Set(candles.map((c) => c.symbol))].sort();
  const first = steps[0]!;
  const book = marketRulesBook(config);
  const recorded = recordedVerdicts(config, options);
  const runtime = await BacktestRuntime.start({
    config,
    symbols,
    timeframe: options.timeframe,
    rules: book.rules,
    seed: options.seed,
    startTime: first.candle.openTime,
    history: loadHistory(options, config),
    ...(options.onStopEvent ? { onStopEvent: options.onStopEvent } : {}),
    ...(options.onFeatures ? { onFeatures: options.onFeatures } : {}),
    ...(options.onSignalDecision ? { onSignalDecision: options.onSignalDecision } : {}),
    ...(recorded ? { recorded } : {}),
  });
  const curve: EquityPoint[] = [
    { time: first.candle.openTime, equity: config.initialEquity, exposed: false },
  ];
  try {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      // The first candle of an instant: the bars closing now print along their paths first.
      if (i === 0 || steps[i - 1]!.lastAtTime) await runtime.printBars(barsClosingWith(steps, i));
      await runtime.step(step.candle, step.quote, step.hasNext);
      if (step.lastAtTime) {
        curve.push({
          time: runtime.clock.now(),
          equity: await runtime.equity(),
          exposed: runtime.ledger.exposed,
        });
        await runtime.cycleDeadline(step.candle.closeTime);
      }
      options.onProgress?.(i + 1, steps.length);
    }
    await runtime.closeAll();
    const last = curve.at(-1)!;
    curve[curve.length - 1] = { ...last, equity: await runtime.equity(), exposed: runtime.ledger.exposed };
  } finally {
    await runtime.stop();
  }
  const trades = runtime.ledger.trades();
  return {
    meta: {
      symbols,
      timeframe: options.timeframe,
      from: first.candle.openTime,
      to: steps.at(-1)!.candle.closeTime + 1,
      candles: steps.length,
      seed: options.seed,
      initial_equity: config.initialEquity,
      fill_model: FILL_MODEL,
      gate_settings: gateSettings(config, options.config),
      market_rules: Object.fromEntries(
        symbols.map((symbol) => [symbol, { ...book.rules(symbol), source: book.source(symbol) }]),
      ),
      ...(recorded ? { recorded_verdicts: recorded.summary() } : {}),
    },
    trades,
    dust: runtime.dust(),
    equity: curve,
    decisions: runtime.decisions(),
    metrics: computeMetrics(trades, curve, config.initialEquity, TIMEFRAME_MS[options.timeframe]),
  };
}

/** What a go-live gate reads of the config: the costs and review in force, and an hour table if one was given. */
function gateSettings(config: BacktestConfig, given: BacktestConfigInput | undefined): BacktestGateSettings {
  const { takerFee, makerFee, slippageBps, agents } = config;
  return {
    takerFee,
    makerFee,
    slippageBps,
    agents,
    ...(given?.hourStats ? { hourStats: config.hourStats } : {}),
    ...(given?.minHourTrades !== undefined ? { minHourTrades: config.minHourTrades } : {}),
  };
}
