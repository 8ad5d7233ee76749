import {
  FeatureEngine,
  featureIndicators,
  IndicatorSet,
  parseBinanceKlineCsv,
  periodsPerYear,
} from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, readDataFile, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandleIntake } from './candle-intake';
import type { Hole } from './holes';

const FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const btc = parseBinanceKlineCsv(readDataFile(FILE), {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '1h',
}).candles.slice(0, 440);
const series = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' } as const;

describe(`CandleIntake over PostgreSQL (${FILE})`, () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let repository: CandleRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase('features_intake');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    repository = new CandleRepository(handle.db);
    // Hours 0–219 stored; 220–229 lost everywhere; the stream resumes at 230.
    await repository.upsertMany(btc.slice(0, 220));
  }, 60_000);

  /** History up to 1,000 candles; what the hole and from-the-future callbacks saw. */
  const intakeColdAfter = (coldAfterMissing: number) => {
    const holes: Array<{ hole: Hole; cold: boolean }> = [];
    const fromFuture: number[] = [];
    const intake = new CandleIntake({
      engine: new FeatureEngine(),
      candles: repository,
      clock: { now: () => Date.now() },
      onFromFuture: (_series, count) => fromFuture.push(count),
      warmUpCandles: () => 1000,
      coldAfterMissing,
      onHole: (_series, hole, cold) => holes.push({ hole, cold }),
    });
    return { intake, holes, fromFuture };
  };

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('starts the series cold after a hole of coldAfterMissing candles, and warm again 200 candles later', async () => {
    const { intake, holes } = intakeColdAfter(10);
    expect(await intake.warm(series)).toBe(220);
    const outcomes = [];
    for (const c of btc.slice(230)) outcomes.push(...(await intake.accept(c)));
    expect(holes).toEqual([
      { hole: { after: btc[219]!.openTime, before: btc[230]!.openTime, missing: 10 }, cold: true },
    ]);
    // Nothing from before the hole counts: the first vector is the 200th candle after it.
    const ready = outcomes.filter((s) => s.outcome.status === 'ready');
    expect(ready[0]?.candle.openTime).toBe(btc[429]!.openTime);
    const fresh = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const expected = new Map(btc.slice(230).map((c) => [c.openTime, featureIndicators(fresh.update(c))]));
    for (const { candle, outcome } of ready)
      expect(outcome.status === 'ready' && outcome.vector.indicators).toEqual(expected.get(candle.openTime));
  });

  it('applies the cold rule to history replayed at start-up, as a running instance does, and counts the hole', async () => {
    // Another series: a restart at hour 300 after the same outage, everything before it stored.
    const restarted = { ...series, exchange: 'restarted' };
    const candles = btc.map((c) => ({ ...c, exchange: restarted.exchange }));
    await repository.upsertMany([...candles.slice(0, 220), ...candles.slice(230, 300)]);
    const { intake, holes } = intakeColdAfter(10);
    expect(await intake.warm(restarted)).toBe(290);
    const outcomes = [];
    for (const c of candles.slice(300)) outcomes.push(...(await intake.accept(c)));
    expect(holes).toEqual([
      { hole: { after: btc[219]!.openTime, before: btc[230]!.openTime, missing: 10 }, cold: true },
    ]);
    const ready = outcomes.filter((s) => s.outcome.status === 'ready');
    expect(ready[0]?.candle.openTime).toBe(btc[429]!.openTime);
  });

  it('bridges a shorter hole: the series keeps its history', async () => {
    const { intake, holes } = intakeColdAfter(11);
    await intake.warm(series);
    const [step] = await intake.accept(btc[230]!);
    expect(holes.map((h) => h.cold)).toEqual([false]);
    const bridged = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    let last = null;
    for (const c of [...btc.slice(0, 220), btc[230]!]) last = featureIndicators(bridged.update(c));
    expect(step?.outcome.status === 'ready' && step.outcome.vector.indicators).toEqual(last);
  });

  it('warms from the stored history before a candle stored from the future, and reports the one passed over', async () => {
    // Another series: hours 0–219, and an edited copy of hour 220 with its times in microseconds, as
    // market-data stored it before it dropped such candles.
    const stamped = { ...series, exchange: 'future-stamped' };
    const candles = btc.map((c) => ({ ...c, exchange: stamped.exchange }));
    const inMicros = {
      ...candles[220]!,
      openTime: candles[220]!.openTime * 1000,
      closeTime: candles[220]!.closeTime * 1000,
    };
    await repository.upsertMany([...candles.slice(0, 220), inMicros]);
    const { intake, fromFuture } = intakeColdAfter(10);
    expect(await intake.warm(stamped)).toBe(220);
    expect(fromFuture).toEqual([1]);
    // The live stream carries on from hour 220: a vector from the 220 replayed before it.
    const [step] = await intake.accept(candles[220]!);
    expect(step?.outcome.status).toBe('ready');
  });
});
