import { NatsBus } from '@ballast/bus';
import type { Candle, Envelope, FeatureVector } from '@ballast/contracts';
import { pattern, Subjects, subject } from '@ballast/contracts';
import { parseBinanceKlineCsv } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, SystemClock } from '@ballast/service-kit';
import { createTestDatabase, readDataFile, type TestDatabase, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startedFeatures } from './testing/started-features';

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

describe(`features service given a delivered candle from the future (${BTC_FILE})`, () => {
  const btc = parseBinanceKlineCsv(readDataFile(BTC_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  }).candles.slice(0, 226);
  // Hour 220 with its times in microseconds, as a venue's glitch or another unit would deliver it.
  const inMicros: Candle = {
    ...btc[220]!,
    openTime: btc[220]!.openTime * 1000,
    closeTime: btc[220]!.closeTime * 1000,
  };
  const clock = new SystemClock();
  const metrics = new Registry();
  const warned: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'features-test',
    level: 'warn',
    destination: { write: (l: string) => void warned.push(JSON.parse(l)) },
  });
  const received: Envelope<FeatureVector>[] = [];
  let testDb: TestDatabase;
  let handle: DbHandle;
  let testBus: NatsBus;
  let service: Awaited<ReturnType<typeof startedFeatures>>;
  const publish = (c: Candle) =>
    testBus.publish(
      subject(Subjects.candle, { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe }),
      c,
      {
        eventTime: c.closeTime,
      },
    );

  beforeAll(async () => {
    testDb = await createTestDatabase('features_from_future_delivery');
    handle = await createDb({ url: testDb.url, poolSize: 3 });
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany(btc.slice(0, 220));
    service = await startedFeatures({ db: handle.db, log, metrics, series: 'binance:BTC-USDT:1h' });
    testBus = await NatsBus.connect({
      source: 'market-data',
      clock,
      servers: service.servers,
      prefix: service.prefix,
    });
    await testBus.subscribe(pattern(Subjects.features), (m) => void received.push(m), {
      durable: 'observer',
    });
  }, 120_000);

  afterAll(async () => {
    await testBus?.drain();
    await service?.[Symbol.asyncDispose]();
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('drops it, counts and warns, and goes on with the real candles after it', async () => {
    const rejections = async () =>
      (await metrics.getSingleMetric('ballast_features_rejections_total')?.get())?.values;
    expect(await rejections()).toContainEqual({ labels: { reason: 'from_future' }, value: 0 });
    await publish(inMicros);
    for (const c of btc.slice(221, 226)) await publish(c);
    await waitFor(() => received.length === 5, 'the vectors of hours 221–225', { timeoutMs: 30_000 });
    expect(received.map((m) => m.payload.openTime)).toEqual(btc.slice(221, 226).map((c) => c.openTime));
    expect(await rejections()).toContainEqual({ labels: { reason: 'from_future' }, value: 1 });
    expect(await rejections()).toContainEqual({ labels: { reason: 'out_of_order' }, value: 0 });
    expect(warned.filter((l) => l.reason === 'from_future')).toMatchObject([
      { symbol: 'BTC-USDT', openTime: inMicros.openTime },
    ]);
  });

  it('warns of candles older than the series, once a minute per series, counting the ones in between', async () => {
    for (const c of btc.slice(100, 103)) await publish(c);
    const outOfOrder = async () =>
      (await metrics.getSingleMetric('ballast_features_rejections_total')?.get())?.values.find(
        (v) => v.labels.reason === 'out_of_order',
      )?.value;
    await waitFor(async () => (await outOfOrder()) === 3, 'three out-of-order rejections');
    expect(warned.filter((l) => l.reason === 'out_of_order')).toMatchObject([
      { symbol: 'BTC-USDT', openTime: btc[100]!.openTime, unreportedSince: 0 },
    ]);
  });
});
