import { type Bus, deleteStreams, NatsBus, NatsNaming } from '@ballast/bus';
import {
  type Candle,
  type Envelope,
  type FeedStatus,
  pattern,
  type SubjectPattern,
  Subjects,
} from '@ballast/contracts';
import { parseBinanceKlineCsv, SeededRandom } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { type ExchangeSim, type ExchangeSimOptions, startExchangeSim } from '@ballast/exchange-sim';
import { loadConfig, SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  readDataFile,
  sharedDataDir,
  type TestDatabase,
  uniqueName,
} from '@ballast/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import { marketDataConfigSchema } from '../config';
import { type MarketDataHandle, startMarketData } from '../service';

export const BTC_1H_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
/** 2021-01-01 00:00 UTC: the BTC 1h series has no gaps in the 200+ hours after it. */
export const REPLAY_FROM = Date.UTC(2021, 0, 1);
export const HOUR = 3_600_000;

/** The recorded BTCUSDT 1h candles with open times in [from, from + count h), as the service stores them. */
export function sourceCandles(from: number, count: number): Candle[] {
  const { candles, errors } = parseBinanceKlineCsv(readDataFile(BTC_1H_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  });
  if (errors.length > 0) throw new Error(`unexpected CSV errors: ${JSON.stringify(errors.slice(0, 3))}`);
  return candles.filter((c) => c.openTime >= from && c.openTime < from + count * HOUR).map(to8dp);
}

/** numeric(20, 8) keeps 8 decimals; the CSV's float-noise volumes (…0000002) are compared at that scale. */
export function to8dp(c: Candle): Candle {
  const r = (n: number) => Number(n.toFixed(8));
  return { ...c, open: r(c.open), high: r(c.high), low: r(c.low), close: r(c.close), volume: r(c.volume) };
}

export interface Harness {
  sim: ExchangeSim;
  service: MarketDataHandle;
  registry: Registry;
  bus: NatsBus;
  repo: CandleRepository;
  candles: Candle[];
  statuses: FeedStatus[];
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  label: string;
  sim: Partial<ExchangeSimOptions>;
  env: Record<string, string>;
}

/** The simulator in-process, real NATS under a unique prefix, a fresh PostgreSQL database, the service. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    ...options.sim,
  });
  const database: TestDatabase = await createTestDatabase(options.label);
  const handle: DbHandle = await createDb({ url: database.url, poolSize: 3 });
  await migrate(handle.db);
  const servers = await natsUrl();
  const prefix = `${uniqueName(options.label)}.`;
  const clock = new SystemClock();
  const bus = await NatsBus.connect({ servers, prefix, source: 'market-data', clock });
  await bus.ensureStreams();
  const candles: Candle[] = [];
  const statuses: FeedStatus[] = [];
  await collect(bus, pattern(Subjects.candle), candles);
  await collect(bus, pattern(Subjects.feedStatus), statuses);
  const config = loadConfig(marketDataConfigSchema, {
    WS_URL: sim.wsUrl,
    REST_URL: sim.restUrl,
    RECONNECT_BASE_MS: '50',
    RECONNECT_CAP_MS: '500',
    REST_MIN_INTERVAL_MS: '10',
    ...options.env,
  });
  const registry = new Registry();
  const random = new SeededRandom(7);
  const service = await startMarketData({
    config,
    bus,
    db: handle.db,
    clock,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    metrics: registry,
    random01: () => random.next(),
  });
  return {
    sim,
    service,
    registry,
    bus,
    repo: new CandleRepository(handle.db),
    candles,
    statuses,
    metric: (name, labels) => metricValue(registry, name, labels),
    async close() {
      await service[Symbol.asyncDispose]();
      await bus.drain();
      await cleanStreams(servers, prefix);
      await handle.db.destroy();
      await database.drop();
      await sim.close();
    },
  };
}

async function collect<T>(bus: Bus, on: SubjectPattern<T>, into: T[]): Promise<void> {
  await bus.subscribe(on, (message: Envelope<T>) => void into.push(message.payload), {
    durable: uniqueName('collector'),
    deliverFrom: 'all',
  });
}

async function cleanStreams(servers: string, prefix: string): Promise<void> {
  const nc = await connect({ servers });
  try {
    await deleteStreams(await jetstreamManager(nc), new NatsNaming(prefix));
  } finally {
    await nc.close();
  }
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Open times strictly increasing by one timeframe, each once. */
export function isContiguous(candles: readonly Candle[], stepMs: number): boolean {
  return candles.every((c, i) => i === 0 || c.openTime === (candles[i - 1] as Candle).openTime + stepMs);
}
