import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { FeatureEngine, warmUpReach } from '@ballast/core';
import { CandleRepository, createDb, migrate } from '@ballast/db';
import { startExchangeSim } from '@ballast/exchange-sim';
import {
  candleWindowsDir,
  createTestDatabase,
  natsUrl,
  ReplayClockFile,
  RULES_AGENTS_ENV,
  replayClockImport,
  type ServiceProcess,
  sharedDataDir,
  startServiceProcess,
  uniqueName,
  waitFor,
  watchPipeline,
} from '@ballast/testkit';
import { type BacktestConfigInput, parseBacktestConfig } from '../backtest-config';
import { loadExchangeInfoRules } from '../exchange-info-rules';
import { loadCandleFile } from '../load-candles';
import { type ReplayStep, replaySteps } from '../replay-steps';
import { type ReplayWatch, replayAll, watchReplay } from './replay-through-services';

const HOUR = 3_600_000;
/**
 * The signals service's default SIGNALS_CYCLE_GRACE_MS, which the backtest runs with too: the replay
 * moves the services' clock past it after each instant, as the backtest's `cycleDeadline` does.
 */
const SIGNALS_CYCLE_GRACE_MS = 30_000;

export interface ReplayStackOptions {
  /** Names the bus prefix, the database and the watch's durables. */
  readonly label: string;
  /** Normalised (`ETH-USDT`), each read from `binance-spot-ohlcv/<BASEQUOTE>-1h.csv.gz` (1h bars). */
  readonly symbols: readonly string[];
  /** Inclusive and exclusive, on candle open time. */
  readonly from: number;
  readonly to: number;
  /**
   * The backtest's configuration, which the replay runs by too: its equity, the slippage of the candle
   * books, and its exchangeInfo (required), by whose rules the trade ledger rounds.
   */
  readonly config: BacktestConfigInput;
  /** The bars of one close arrive in reverse symbol order (UniverseReplay.reversed). */
  readonly reversed?: boolean;
}

/** The services as processes on NATS and PostgreSQL, fed a recorded window through the exchange simulator. */
export interface ReplayStack {
  /** The window's bars of every symbol, in the order the replay sends them. */
  readonly steps: readonly ReplayStep[];
  readonly watch: ReplayWatch;
  readonly services: readonly ServiceProcess[];
  /** Replays every step, bar by bar, each once the pipeline is idle (replayAll). */
  replay(): Promise<void>;
  /** Stops everything started, newest first; the processes' exits are checked (non-zero is logged). */
  close(): Promise<void>;
}

/** The recorded 1h candle file of a normalised symbol, relative to the shared data directory. */
export function candleCsv(symbol: string): string {
  return `binance-spot-ohlcv/${symbol.replace('-', '')}-1h.csv.gz`;
}

/**
 * Starts what a live deployment runs for `symbols`, as the backtest runs it: market-data on the
 * simulator's Binance websocket, features, signals (rules agents, the universe = `symbols`), risk, orders
 * (paper venue) and stops, each its own process, on a replay clock, with the features warm-up's worth of
 * history before `from` in the database (the backtest stores the same). The simulator replays the window
 * one candle per step.
 */
export async function startReplayStack(options: ReplayStackOptions): Promise<ReplayStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error(err));
    cleanups.length = 0;
  };
  try {
    return await start(options, cleanups, close);
  } catch (err) {
    await close();
    throw err;
  }
}

async function start(
  options: ReplayStackOptions,
  cleanups: Array<() => Promise<void>>,
  close: () => Promise<void>,
): Promise<ReplayStack> {
  const { label, symbols, from, to } = options;
  const config = parseBacktestConfig(options.config);
  if (!config.exchangeInfoFile) throw new Error('the replay needs the exchangeInfo of the backtest config');
  const csvs = symbols.map(candleCsv);
  const load = (range: { from: number; to: number }) =>
    csvs.flatMap((csv) =>
      loadCandleFile(
        { path: join(sharedDataDir(), csv) },
        { exchange: 'binance', timeframe: '1h', ...range },
      ),
    );
  const steps = replaySteps(load({ from, to }));
  const infoRules = loadExchangeInfoRules(config.exchangeInfoFile);

  const servers = await natsUrl();
  const prefix = `${uniqueName(label)}.`;
  const database = await createTestDatabase(label);
  cleanups.push(() => database.drop());
  // The history a live deployment holds before the window (backfilled), as the backtest stores it.
  const servicesDb = await createDb({ url: database.url });
  cleanups.push(() => servicesDb.db.destroy());
  await migrate(servicesDb.db);
  const warmUp = warmUpReach(new FeatureEngine().warmUpBars('1h')) * HOUR;
  await new CandleRepository(servicesDb.db).upsertMany(load({ from: from - warmUp, to: from }));
  const stateDir = mkdtempSync(join(tmpdir(), `ballast-${label}-clock-`));
  cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
  const clock = new ReplayClockFile(join(stateDir, 'now'), steps[0]!.candle.openTime);

  // A data directory holding only the window's candles (the history before it is in the database).
  const window = candleWindowsDir(csvs, from, to);
  cleanups.push(async () => rmSync(window.dir, { recursive: true, force: true }));
  const binance = symbols.map((s) => s.replace('-', ''));
  const sim = await startExchangeSim({
    dataDir: window.dir,
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: binance,
      framesFile: null,
      // At one close time the simulator sends them in the order listed: by symbol, or the reverse.
      candles: binance
        .map((symbol, i) => ({ symbol, interval: '1h', file: window.files[i]!, replay: true }))
        .sort((a, b) => (a.symbol < b.symbol ? -1 : 1) * (options.reversed ? -1 : 1)),
    },
  });
  cleanups.push(() => sim.close());

  const bus = await NatsBus.connect({ servers, prefix, source: label, clock });
  await bus.ensureStreams();
  cleanups.push(async () => {
    await bus.drain();
    await deleteStreamsAt(servers, bus.naming);
  });
  const pipeline = await watchPipeline(servers, prefix);
  cleanups.push(() => pipeline.close());
  // What the test records, as the backtest runtime's listeners do.
  const watch = await watchReplay(bus, label, (symbol) => infoRules.get(symbol)!);

  const running: ServiceProcess[] = [];
  cleanups.push(async () => {
    for (const p of running.reverse()) {
      const code = await p.stop();
      if (code !== 0) console.error(`${p.name} exited ${code}:\n${p.logs.slice(-20).join('\n')}`);
    }
  });
  const common = {
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...clock.env(),
  };
  for (const [name, env] of serviceEnvs(symbols, config.initialEquity, sim))
    running.push(await startServiceProcess(name, { ...common, ...env }, { imports: [replayClockImport] }));
  await waitFor(() => sim.controls.state().connections.binance > 0, 'market-data to connect', {
    timeoutMs: 30_000,
  });
  const signals = running.find((p) => p.name === 'signals')!;

  const replay = {
    bus,
    sim,
    clock,
    pipeline,
    watch,
    slippageBps: config.slippageBps,
    tickSize: (symbol: string) => infoRules.get(symbol)!.tickSize,
    timeoutMs: 120_000,
    // The services' own tables, read for the stops they hold (which bars print along their paths).
    db: servicesDb.db,
    published: { books: 0, prints: 0 },
    cycles: { graceMs: SIGNALS_CYCLE_GRACE_MS, ranked: () => cyclesRanked(signals.httpUrl) },
    reversed: options.reversed ?? false,
  };
  return { steps, watch, services: running, replay: () => replayAll(replay, steps), close };
}

/**
 * market-data on the simulator's 1h candles alone, replayed a bar at a time: an hour of replay passes
 * between two bars, and the simulator sends nothing between steps (a bar may wait long on a loaded machine).
 */
export function replayMarketDataEnv(
  symbols: readonly string[],
  sim: { restUrl: string; wsUrl: string },
): Record<string, string> {
  return {
    VENUE: 'binance',
    SYMBOLS: symbols.map((s) => s.replace('-', '/')).join(','),
    TIMEFRAME: '1h',
    CHANNELS: 'candles',
    WS_URL: sim.wsUrl,
    REST_URL: sim.restUrl,
    PUBLISH_BOOK: 'false',
    STALE_AFTER_MS: String(365 * 86_400_000),
    HEARTBEAT_TIMEOUT_MS: String(86_400_000),
  };
}

/** Each service's own settings; what they share (bus, database, clock) is added by the caller. */
function serviceEnvs(
  symbols: readonly string[],
  equity: number,
  sim: { restUrl: string; wsUrl: string },
): Array<[string, Record<string, string>]> {
  const venue = { EXCHANGE_BASE_URL: sim.restUrl };
  return [
    ['market-data', replayMarketDataEnv(symbols, sim)],
    ['features', { FEATURES_SERIES: symbols.map((s) => `binance:${s}:1h`).join(',') }],
    [
      'signals',
      {
        SIGNALS_UNIVERSE: symbols.join(','),
        ...RULES_AGENTS_ENV,
      },
    ],
    ['risk', { ...venue, RISK_EQUITY: String(equity) }],
    [
      'orders',
      {
        ...venue,
        ORDERS_VENUE_KIND: 'paper',
        CLIENT_ID_PREFIX: 'bt-',
        PAPER_INITIAL_BALANCES: JSON.stringify({ USDT: equity }),
      },
    ],
    [
      'stops',
      {
        ...venue,
        CLIENT_ID_PREFIX: 'bt-',
        CLOSE_CONFIRM_MS: String(2 * HOUR),
        // As the backtest: a bar printed along its path is one run of trades (bar-path.ts).
        TRADE_RUN_GAP_MS: String(HOUR),
      },
    ],
  ];
}

/** Cycles the signals service ranked so far (complete, or at their deadline), read from its metrics. */
async function cyclesRanked(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^ballast_signals_cycles_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}
