import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { FeatureEngine } from '@ballast/core';
import { CandleRepository, createDb, migrate } from '@ballast/db';
import { startExchangeSim } from '@ballast/exchange-sim';
import {
  candleWindowDir,
  createTestDatabase,
  natsUrl,
  ReplayClockFile,
  replayClockImport,
  type ServiceProcess,
  sharedDataDir,
  startServiceProcess,
  uniqueName,
  waitFor,
  watchPipeline,
} from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';
import type { BacktestTrade } from './backtest-result';
import { loadExchangeInfoRules } from './exchange-info-rules';
import { loadCandleFile } from './load-candles';
import { replaySteps } from './replay-steps';
import { runBacktest } from './run-backtest';
import { replayBar, watchReplay } from './testing';

// Real Binance spot ETHUSDT 1h candles, 1–26 January 2021: 600 bars, after the features warm-up's worth
// of stored history (the backtest stores the same before `from`), four round trips in the backtest. The same candles go once through the in-process
// backtest and once through the exchange simulator into market-data, features, signals (rules agents),
// risk, orders (paper venue) and stops, each its own process on NATS JetStream and PostgreSQL.
//
// What the two runs share by construction, as a live deployment would: the services' code and
// configuration, the recorded candles, the market rules (the exchangeInfo the simulator serves), and
// the quote orders fill at. Recorded klines carry no depth, so in both runs the book is the candle
// book at the next bar's open (candle-book.ts): the backtest runtime publishes it on its MemoryBus,
// this test publishes the same book on NATS before the simulator sends the candle. The services'
// injected clock follows the replay (testkit's replay clock), as the backtest's VirtualClock does.
// Each bar is replayed only once the pipeline is idle: the backtest's settle, across processes.
const SYMBOL = 'ETHUSDT';
const FROM = Date.UTC(2021, 0, 1);
const TO = Date.UTC(2021, 0, 26);
const CSV = `binance-spot-ohlcv/${SYMBOL}-1h.csv.gz`;
const INFO = 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz';
const CONFIG = { agents: 'rules' as const, exchangeInfoFile: join(sharedDataDir(), INFO) };
const SLIPPAGE_BPS = 5;
const HOUR = 3_600_000;
const EQUITY = 10_000;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error(err));
});

/** A data directory holding only the window's candles (the history before it is in the database). */
function windowDataDir(): string {
  const { dir } = candleWindowDir(CSV, FROM, TO);
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

it('replays recorded candles through the services as processes on NATS into the backtest trade list', {
  timeout: 1_200_000,
}, async () => {
  const expected = await runBacktest({
    files: [join(sharedDataDir(), CSV)],
    timeframe: '1h',
    from: FROM,
    to: TO,
    seed: 1,
    config: CONFIG,
  });
  expect(expected.trades.length).toBeGreaterThanOrEqual(3);

  const candles = loadCandleFile(
    { path: join(sharedDataDir(), CSV) },
    {
      exchange: 'binance',
      timeframe: '1h',
      from: FROM,
      to: TO,
    },
  );
  const steps = replaySteps(candles);
  const tickSize = loadExchangeInfoRules(CONFIG.exchangeInfoFile).get('ETH-USDT')!.tickSize;

  const servers = await natsUrl();
  const prefix = `${uniqueName('parity')}.`;
  const database = await createTestDatabase('parity');
  cleanups.push(() => database.drop());
  // The history a live deployment holds before the window (backfilled), as the backtest stores it.
  const servicesDb = await createDb({ url: database.url });
  cleanups.push(() => servicesDb.db.destroy());
  await migrate(servicesDb.db);
  const history = loadCandleFile(
    { path: join(sharedDataDir(), CSV) },
    {
      exchange: 'binance',
      timeframe: '1h',
      from: FROM - new FeatureEngine().warmUpBars('1h') * HOUR,
      to: FROM,
    },
  );
  await new CandleRepository(servicesDb.db).upsertMany(history);
  const stateDir = mkdtempSync(join(tmpdir(), 'ballast-parity-clock-'));
  cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
  const clock = new ReplayClockFile(join(stateDir, 'now'), steps[0]!.candle.openTime);

  const sim = await startExchangeSim({
    dataDir: windowDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: [SYMBOL],
      framesFile: null,
      candles: [
        { symbol: SYMBOL, interval: '1h', file: `binance-spot-ohlcv/${SYMBOL}-1h.csv`, replay: true },
      ],
    },
  });
  cleanups.push(() => sim.close());

  const bus = await NatsBus.connect({ servers, prefix, source: 'parity', clock });
  await bus.ensureStreams();
  cleanups.push(async () => {
    await bus.drain();
    await deleteStreamsAt(servers, bus.naming);
  });
  const pipeline = await watchPipeline(servers, prefix);
  cleanups.push(() => pipeline.close());

  // What this test records, as the backtest runtime's listeners do.
  const infoRules = loadExchangeInfoRules(CONFIG.exchangeInfoFile);
  const watch = await watchReplay(bus, 'parity', (symbol) => infoRules.get(symbol)!);

  const common = {
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...clock.env(),
  };
  const venue = { EXCHANGE_BASE_URL: sim.restUrl };
  const services: Array<[string, Record<string, string>]> = [
    [
      'market-data',
      {
        VENUE: 'binance',
        SYMBOLS: 'ETH/USDT',
        TIMEFRAME: '1h',
        CHANNELS: 'candles',
        WS_URL: sim.wsUrl,
        REST_URL: sim.restUrl,
        PUBLISH_BOOK: 'false',
        // An hour of replay passes between two bars: staleness is the backtest's concern of none.
        STALE_AFTER_MS: String(365 * 86_400_000),
        // The simulator sends nothing between steps; a bar may wait long on a loaded machine.
        HEARTBEAT_TIMEOUT_MS: String(86_400_000),
      },
    ],
    ['features', { FEATURES_SERIES: 'binance:ETH-USDT:1h' }],
    [
      'signals',
      {
        SIGNALS_UNIVERSE: 'ETH-USDT',
        ANALYST_PROVIDER: 'rules',
        REVIEWER_PROVIDER: 'rules',
        REFLECTOR_PROVIDER: 'rules',
        AGENT_REFLECTION: 'off',
        ANTHROPIC_API_KEY: '',
        GEMINI_API_KEY: '',
      },
    ],
    ['risk', { ...venue, RISK_EQUITY: String(EQUITY) }],
    [
      'orders',
      {
        ...venue,
        ORDERS_VENUE_KIND: 'paper',
        CLIENT_ID_PREFIX: 'bt-',
        PAPER_INITIAL_BALANCES: JSON.stringify({ USDT: EQUITY }),
      },
    ],
    [
      'stops',
      {
        ...venue,
        CLIENT_ID_PREFIX: 'bt-',
        CLOSE_CONFIRM_MS: String(2 * 3_600_000),
        // As the backtest: a bar printed along its path is one run of trades (bar-path.ts).
        TRADE_RUN_GAP_MS: String(3_600_000),
      },
    ],
  ];
  const running: ServiceProcess[] = [];
  cleanups.push(async () => {
    for (const p of running.reverse()) {
      const code = await p.stop();
      if (code !== 0) console.error(`${p.name} exited ${code}:\n${p.logs.slice(-20).join('\n')}`);
    }
  });
  for (const [name, env] of services)
    running.push(await startServiceProcess(name, { ...common, ...env }, { imports: [replayClockImport] }));
  await waitFor(() => sim.controls.state().connections.binance > 0, 'market-data to connect', {
    timeoutMs: 30_000,
  });

  // servicesDb: the services' own tables, read for the stops they hold (which bars print along their paths).

  // Each bar only once the pipeline is idle: the backtest's settle, across processes.
  const replay = {
    bus,
    sim,
    clock,
    pipeline,
    watch,
    symbol: 'ETH-USDT',
    slippageBps: SLIPPAGE_BPS,
    tickSize,
    timeoutMs: 120_000,
    db: servicesDb.db,
    published: { books: 0, prints: 0 },
  };
  for (const [i, step] of steps.entries()) await replayBar(replay, step, i);

  const { ledger } = watch;
  expect(ledger.openMarkets()).toEqual([]);
  const trades: BacktestTrade[] = ledger.trades();
  expect(trades).toEqual(expected.trades);
  for (const p of running) expect(p.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
});
