import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCandleFile, loadExchangeInfoRules, replaySteps } from '@ballast/backtest';
import { replayBar, replayMarketDataEnv, watchReplay } from '@ballast/backtest/testing';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { CandleRepository, createDb, migrate } from '@ballast/db';
import { startExchangeSim } from '@ballast/exchange-sim';
import {
  candleWindowDir,
  createTestDatabase,
  natsUrl,
  ReplayClockFile,
  replayClockImport,
  sharedDataDir,
  uniqueName,
  waitFor,
  watchPipeline,
} from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';
import { BotApiServer } from '../../services/telegram/src/testing/bot-api-server';
import { everyPanelQuery, seriesWithValues, targetsWithData } from './panels.live-queries';
import { type BallastUp, ballastUp, gatewayUsers, startLlmDoubles } from './panels.live-stack';

// The proof that the Grafana dashboards show live data. `ballast up` runs every service and a real
// Prometheus (1 s scrape, the committed rules); recorded Binance ETHUSDT 1h candles go through the
// exchange simulator as in the backtest parity test (packages/backtest/src/parity.nats.test.ts):
// replay clock shared by the processes, the candle book published before each bar, one bar at a time
// once the pipeline is idle. The database holds the 500 recorded candles before the window, so the
// features are warm at once (as after a restart) and the first round trip comes within a day of bars
// (the backtest from November 2020 trades 1 Dec 06:00 → 12:00). The agents call local Gemini and
// Claude doubles. Then every target of every panel is run against Prometheus: each must return data.
const SYMBOL = 'ETHUSDT';
const PAIR = 'ETH-USDT';
const CSV = `binance-spot-ohlcv/${SYMBOL}-1h.csv.gz`;
const INFO = 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz';
const HOUR = 3_600_000;
const FROM = Date.UTC(2020, 10, 30, 18);
const TO = Date.UTC(2020, 11, 4, 14);
const WARM = 500;
const EQUITY = 10_000;
const SLIPPAGE_BPS = 5;
const SERVICES = [
  'market-data',
  'features',
  'signals',
  'risk',
  'orders',
  'stops',
  'reconciliation',
  'gateway',
  'telegram',
];

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error(err));
}, 240_000);

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ballast-${label}-`));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The recorded candles opening in [from, to). */
function candles(from: number, to: number) {
  return loadCandleFile(
    { path: join(sharedDataDir(), CSV) },
    { exchange: 'binance', timeframe: '1h', from, to },
  );
}

async function seedHistory(url: string): Promise<void> {
  const handle = await createDb({ url, poolSize: 1 });
  try {
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany(candles(FROM - WARM * HOUR, FROM));
  } finally {
    await handle.db.destroy();
  }
}

it('every panel of every dashboard shows data from services run by `ballast up` through a replayed round trip', {
  timeout: 1_800_000,
}, async () => {
  const queries = everyPanelQuery();
  expect(queries.length).toBeGreaterThan(40);
  const steps = replaySteps(candles(FROM, TO));
  const infoRules = loadExchangeInfoRules(join(sharedDataDir(), INFO));
  const tickSize = infoRules.get(PAIR)!.tickSize;

  const servers = await natsUrl();
  const prefix = `${uniqueName('panels')}.`;
  const database = await createTestDatabase('panels_live');
  cleanups.push(() => database.drop());
  await seedHistory(database.url);
  const clock = new ReplayClockFile(join(tempDir('panels-clock'), 'now'), steps[0]!.candle.openTime);

  const window = candleWindowDir(CSV, FROM, TO);
  cleanups.push(async () => rmSync(window.dir, { recursive: true, force: true }));
  const sim = await startExchangeSim({
    dataDir: window.dir,
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: [SYMBOL],
      framesFile: null,
      apiKey: 'panels-key',
      apiSecret: 'panels-secret',
      balances: { USDT: String(EQUITY) },
      candles: [{ symbol: SYMBOL, interval: '1h', file: window.file, replay: true }],
    },
  });
  cleanups.push(() => sim.close());
  const llm = await startLlmDoubles();
  cleanups.push(() => llm.close());
  // The bot talks to a local server speaking the Telegram Bot API; the round trip's notices reach it.
  const telegram = await BotApiServer.start('4242:panels-bot-token');
  cleanups.push(() => telegram.close());

  const bus = await NatsBus.connect({ servers, prefix, source: 'panels', clock });
  await bus.ensureStreams();
  cleanups.push(async () => {
    await bus.drain();
    await deleteStreamsAt(servers, bus.naming);
  });
  const pipeline = await watchPipeline(servers, prefix);
  cleanups.push(() => pipeline.close());

  // Round trips as the backtest counts them, from the order events on the bus.
  // With the market's rules: a buy's fee is taken in ETH, so an exit leaves dust, and a trade closes on dust.
  const watch = await watchReplay(bus, 'panels', (symbol) => infoRules.get(symbol)!);
  const { ledger } = watch;

  const venue = {
    EXCHANGE_BASE_URL: sim.restUrl,
    EXCHANGE_API_KEY: 'panels-key',
    EXCHANGE_API_SECRET: 'panels-secret',
  };
  const stateDir = tempDir('panels-up');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...clock.env(),
    ...venue,
    ...llm.env,
    ...replayMarketDataEnv([PAIR], sim),
    FEATURES_SERIES: `binance:${PAIR}:1h`,
    SIGNALS_UNIVERSE: PAIR,
    RISK_EQUITY: String(EQUITY),
    ORDERS_VENUE_KIND: 'paper',
    CLIENT_ID_PREFIX: 'bt-',
    PAPER_INITIAL_BALANCES: JSON.stringify({ USDT: EQUITY }),
    CLOSE_CONFIRM_MS: String(2 * HOUR),
    // As the backtest: a bar printed along its path is one run of trades (bar-path.ts).
    TRADE_RUN_GAP_MS: String(HOUR),
    // The paper account lives inside the orders process, and reconciliation would set our ETH position
    // to the venue's (none). It reconciles the simulator's own account instead, under another venue id,
    // over the same wire: runs, durations and clean timestamps as a live account produces them.
    RECON_VENUE: 'binanceus',
    RECON_SYMBOLS: PAIR,
    RECON_INTERVAL_MS: '2000',
    GATEWAY_USERS: gatewayUsers(),
    GATEWAY_PORT: '0',
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_ALLOWED_CHAT_IDS: '4242',
    TELEGRAM_POLL_TIMEOUT_S: '1',
  };
  let up: BallastUp | undefined;
  cleanups.push(async () => {
    const code = (await up?.down())?.code;
    if (up && code !== 0) console.error(`ballast up exited ${code}:\n${up.output.slice(-40).join('\n')}`);
    for (const pid of [...(up?.pids ?? [])].filter(isAlive)) {
      console.error(`pid ${pid} outlived ballast down; killing it`);
      process.kill(pid, 'SIGKILL');
    }
  });
  up = await ballastUp({ services: SERVICES, stateDir, env, imports: [replayClockImport] });
  const prometheus = up.prometheusUrl;
  await waitFor(
    async () => (await seriesWithValues(prometheus, 'up{job="ballast"} == 1')) === SERVICES.length,
    'Prometheus scraping every service',
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await waitFor(() => sim.controls.state().connections.binance > 0, 'market-data to connect', {
    timeoutMs: 60_000,
  });

  // A target passes once it returned data at one of two moments: while a position is open (its gauges
  // exist only then) and after the round trip. Gauges read at scrape time need a scrape after the fact.
  const shown = new Set<string>();
  const look = async () => {
    for (const t of await targetsWithData(prometheus, queries)) shown.add(t);
  };
  // The services' tables, read for the stops they hold (which bars print along their paths).
  const servicesDb = await createDb({ url: database.url });
  cleanups.push(() => servicesDb.db.destroy());
  const replay = {
    bus,
    sim,
    clock,
    pipeline,
    watch,
    symbol: PAIR,
    slippageBps: SLIPPAGE_BPS,
    tickSize,
    timeoutMs: 180_000,
    db: servicesDb.db,
    published: { books: 0, prints: 0 },
  };
  let lookedWhileOpen = false;
  for (const [i, step] of steps.entries()) {
    await replayBar(replay, step, i);
    if (!lookedWhileOpen && ledger.openMarkets().length > 0) {
      // The recorded open risk too: a rule evaluated after the scrape, and gone once the position closes
      // (with trailing stops that can be the next bar).
      await waitFor(
        async () =>
          (await seriesWithValues(prometheus, 'ballast_risk_open_positions > 0')) > 0 &&
          (await seriesWithValues(prometheus, 'ballast:risk_open_risk:sum')) > 0,
        'Prometheus to scrape the open position and record its risk',
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      await look();
      lookedWhileOpen = true;
    }
    if (ledger.trades().length > 0 && ledger.openMarkets().length === 0) break;
  }
  expect(ledger.trades().length, 'a round trip during the replay').toBeGreaterThan(0);
  expect(lookedWhileOpen).toBe(true);

  // After the round trip: wait (bounded) for the scrapes and rule evaluations to catch up.
  const missing = () => queries.filter((q) => !shown.has(`${q.key}: ${q.expr}`));
  await waitFor(
    async () => {
      await look();
      return missing().length === 0;
    },
    'every panel target to return data',
    { timeoutMs: 60_000, intervalMs: 2_000 },
  ).catch(() => undefined);
  expect(missing().map((q) => `${q.key}: ${q.expr}`)).toEqual([]);
  // The same check on a metric nobody exports finds nothing: a panel reading one would be listed above.
  expect(await seriesWithValues(prometheus, 'ballast_panels_live_never_exported')).toBe(0);

  // `ballast down` from another shell stops the supervisor, every service and Prometheus.
  expect((await up.down()).code).toBe(0);
  expect([...up.pids].filter(isAlive)).toEqual([]);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
