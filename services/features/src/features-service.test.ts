import { deleteStreamsAt, NatsBus, natsTarget } from '@ballast/bus';
import type { Candle, Envelope, FeatureVector } from '@ballast/contracts';
import { pattern, STREAMS, Subjects, subject } from '@ballast/contracts';
import {
  FeatureEngine,
  featureIndicators,
  HigherTimeframeContext,
  IndicatorSet,
  parseBinanceKlineCsv,
  periodsPerYear,
} from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  readDataFile,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresConfigSchema } from './config';
import { startFeaturesService } from './service';

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const ETH_FILE = 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz';
const BNB_FILE = 'binance-spot-ohlcv/BNBUSDT-1h.csv.gz';
const HOUR = 3_600_000;
const load = (file: string, symbol: string, count = 300) =>
  parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe: '1h' }).candles.slice(
    0,
    count,
  );
const btc = load(BTC_FILE, 'BTC-USDT');
const eth = load(ETH_FILE, 'ETH-USDT');
const bnb = load(BNB_FILE, 'BNB-USDT', 1301);
const DURABLE = 'features';

/** What a vector of each candle must carry when the series saw exactly `candles`, none twice. */
function expectedVectors(candles: readonly Candle[]) {
  const direct = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
  return new Map(candles.map((c) => [c.openTime, featureIndicators(direct.update(c))]));
}

describe(`features service start-up over NATS and PostgreSQL (${BTC_FILE}, ${ETH_FILE}, ${BNB_FILE})`, () => {
  const prefix = `${uniqueName('features')}.`;
  const clock = new SystemClock();
  const warned: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'features-test',
    level: 'warn',
    destination: { write: (l: string) => void warned.push(JSON.parse(l)) },
  });
  const metrics = new Registry();
  let testDb: TestDatabase;
  let handle: DbHandle;
  let repository: CandleRepository;
  let serviceBus: NatsBus;
  let testBus: NatsBus;
  let service: AsyncDisposable;
  const received: Envelope<FeatureVector>[] = [];
  const vectorsOf = (symbol: string) => received.filter((m) => m.payload.symbol === symbol);

  /** As market-data does it: stored first, then published. */
  const storeAndPublish = async (c: Candle) => {
    await repository.upsertMany([c]);
    await publish(c);
  };
  const publish = (c: Candle) =>
    testBus.publish(subject(Subjects.candle, seriesOf(c)), c, { eventTime: c.closeTime });

  beforeAll(async () => {
    const servers = await natsUrl();
    testDb = await createTestDatabase('features_service');
    handle = await createDb({ url: testDb.url, poolSize: 3 });
    await migrate(handle.db);
    repository = new CandleRepository(handle.db);
    serviceBus = await NatsBus.connect({ source: 'features', clock, servers, prefix });
    await serviceBus.ensureStreams();
    testBus = await NatsBus.connect({ source: 'market-data', clock, servers, prefix });
    await testBus.subscribe(pattern(Subjects.features), (m) => void received.push(m), {
      durable: 'observer',
    });
    await createIdleDurable(servers, serviceBus);

    // BTC: 0–219 stored; 200–219 also published while the service was down (waiting in its durable).
    await repository.upsertMany(btc.slice(0, 220));
    for (const c of btc.slice(200, 220)) await publish(c);
    // 220–229 reached the database but never the stream (market-data stopped between the two).
    await repository.upsertMany(btc.slice(220, 230));
    // ETH: 0–204 stored; 210–214 missing everywhere (an outage nobody recorded).
    await repository.upsertMany(eth.slice(0, 205));
    // BNB: 1,300 hours stored, enough for the 1d context to be warm from history alone.
    await repository.upsertMany(bnb.slice(0, 1300));

    const config = featuresConfigSchema.parse({
      FEATURES_SERIES: 'binance:BTC-USDT:1h,binance:ETH-USDT:1h,binance:BNB-USDT:1h',
      FEATURES_DURABLE: DURABLE,
    });
    const starting = startFeaturesService({ bus: serviceBus, db: handle.db, log, metrics, config, clock });
    // 230–259 close while the service starts: stored and published during its warm-up; 245 twice.
    const duringStartUp = (async () => {
      for (const c of btc.slice(230, 260)) {
        await storeAndPublish(c);
        if (c === btc[245]) await publish(c);
      }
    })();
    [service] = await Promise.all([starting, duringStartUp]);
    for (const c of btc.slice(260, 300)) await storeAndPublish(c);
    for (const c of [...eth.slice(205, 210), ...eth.slice(215, 300)]) await storeAndPublish(c);
    await storeAndPublish(bnb[1300]!);
  }, 120_000);

  afterAll(async () => {
    await service?.[Symbol.asyncDispose]();
    await serviceBus?.drain();
    await testBus?.drain();
    if (serviceBus) await deleteStreamsAt(await natsUrl(), serviceBus.naming);
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('warns at start, per series, that its stored history is shorter than the warm-up (1h: 9,528)', () => {
    const short = warned.filter((l) => l.reason === 'short_warm_up');
    expect(short.map((l) => l.symbol).sort()).toEqual(['BNB-USDT', 'BTC-USDT', 'ETH-USDT']);
    expect(short.find((l) => l.symbol === 'BNB-USDT')).toMatchObject({ replayed: 1300, wanted: 9528 });
  });

  it('publishes one exact vector for every candle after the history, none lost, none twice', async () => {
    await waitFor(() => vectorsOf('BTC-USDT').at(-1)?.payload.openTime === btc[299]!.openTime, 'BTC 299', {
      timeoutMs: 60_000,
    });
    const vectors = vectorsOf('BTC-USDT');
    // 0–199 were history only (the first warm vector, 199, was never delivered): 200–299 each once.
    expect(vectors.map((m) => m.payload.openTime)).toEqual(btc.slice(200).map((c) => c.openTime));
    const expected = expectedVectors(btc);
    for (const m of vectors) {
      expect(m.payload.indicators).toEqual(expected.get(m.payload.openTime));
      expect(m.eventTime).toBe(m.payload.openTime + HOUR - 1);
    }
    expect(vectors.at(-1)!.payload.higherTimeframe?.timeframe).toBe('4h');
  });

  it('bridges a hole missing from both stream and database, counts it, and stays exact', async () => {
    await waitFor(() => vectorsOf('ETH-USDT').at(-1)?.payload.openTime === eth[299]!.openTime, 'ETH 299', {
      timeoutMs: 60_000,
    });
    const seen = [...eth.slice(0, 210), ...eth.slice(215)];
    const vectors = vectorsOf('ETH-USDT');
    // The first delivered ETH candle (205) comes after warm-up; 199 is the first warm one but history.
    expect(vectors.map((m) => m.payload.openTime)).toEqual(seen.slice(205).map((c) => c.openTime));
    const expected = expectedVectors(seen);
    for (const m of vectors) expect(m.payload.indicators).toEqual(expected.get(m.payload.openTime));
    const holes = await metrics.getSingleMetric('ballast_features_holes_total')!.get();
    // Every action and rejection reason is exported from the start, at 0 until it happens.
    expect(holes.values).toEqual([
      { labels: { action: 'bridged' }, value: 1 },
      { labels: { action: 'cold' }, value: 0 },
    ]);
    const rejections = await metrics.getSingleMetric('ballast_features_rejections_total')!.get();
    expect(rejections.values.map((v) => v.labels.reason).sort()).toEqual([
      'from_future',
      'non_finite',
      'out_of_order',
      'resample_failed',
    ]);
    const passedOver = await metrics.getSingleMetric('ballast_features_passed_over_total')!.get();
    expect(passedOver.values).toEqual([{ labels: { reason: 'from_future' }, value: 0 }]);
  });

  it('publishes the 4h and the 1d context warmed from stored history with the first live candle', async () => {
    await waitFor(() => vectorsOf('BNB-USDT').length > 0, 'a BNB vector', { timeoutMs: 60_000 });
    const [vector] = vectorsOf('BNB-USDT').map((m) => m.payload);
    expect(vector!.openTime).toBe(bnb[1300]!.openTime);
    // The default warm-up (397 daily bars of hours) is longer than the history: all of it is replayed.
    expect(new FeatureEngine().warmUpBars('1h')).toBeGreaterThan(1300);
    const replayed = bnb.slice(0, 1300);
    const h4 = new HigherTimeframeContext('4h');
    const d1 = new HigherTimeframeContext('1d');
    for (const c of replayed) {
      h4.push(c);
      d1.push(c);
    }
    expect(d1.current).not.toBeNull();
    expect(vector!.higherTimeframe).toEqual(h4.current);
    expect(vector!.higherTimeframes).toEqual([h4.current, d1.current]);
  });
});

/** The service's durable as it was left by an earlier run: existing, nothing consumed since. */
async function createIdleDurable(servers: string, bus: NatsBus): Promise<void> {
  const nc = await connect(natsTarget(servers));
  try {
    const jsm = await jetstreamManager(nc);
    const stream = STREAMS.find((s) => s.subjects.includes('md.candle.>'))!;
    await jsm.consumers.add(bus.naming.stream(stream.name), {
      durable_name: DURABLE,
      filter_subject: bus.naming.subject(pattern(Subjects.candle).value),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      max_deliver: 5,
      ack_wait: nanos(30_000),
    });
  } finally {
    await nc.close();
  }
}

function seriesOf(c: Candle) {
  return { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe };
}
