import { type Bus, BusError, MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { type Candle, type Clock, pattern, Subjects } from '@ballast/contracts';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { type CandlePage, REST_SETTLE_MS, RestError } from '@ballast/exchange';
import { createTestDatabase, recordedKlines, type TestDatabase, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandlePipeline, type CandleSource } from './candle-pipeline';
import { MarketDataMetrics } from './metrics';

// Real Binance 1h candles of BTCUSDT and ETHUSDT (binance-spot-ohlcv/<PAIR>-1h.csv.gz), from the start.
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };
let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('md_pipeline');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

/** The pipeline's bus, and what a listener on every candle subject received. */
async function busWithListener(durable: string): Promise<{ bus: MemoryBus; published: Candle[] }> {
  const hub = new MemoryHub();
  const bus = new MemoryBus({ source: 'market-data', clock, ids: randomIds(clock), hub });
  const published: Candle[] = [];
  const listener = new MemoryBus({ source: 'test', clock, ids: randomIds(clock), hub });
  await listener.subscribe(pattern(Subjects.candle), (m) => void published.push(m.payload), { durable });
  return { bus, published };
}

function pipelineOf(
  symbols: string[],
  rest: CandleSource,
  bus: Bus,
  at: Clock,
  maxHeld = 100,
  seen: { registry?: Registry; statuses?: string[] } = {},
): CandlePipeline {
  return new CandlePipeline({
    venue: 'binance',
    timeframe: '1h',
    symbols,
    repo: new CandleRepository(handle.db),
    rest,
    bus,
    clock: at,
    metrics: new MarketDataMetrics(seen.registry ?? new Registry(), at),
    log: silent,
    repair: { retryBaseMs: 100, retryCapMs: 1_000, banWaitMs: 60_000, maxHeld },
    random01: () => 0.5,
    status: (_symbol, state, reason) => void seen.statuses?.push(`${state}: ${reason}`),
  });
}

/** The bus, refusing its next `n` publishes once told to, as a JetStream publish timeout would. */
function refusing(bus: MemoryBus): { bus: Bus; refuse(n: number): void } {
  let left = 0;
  const proxy = new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver);
      return (...args: Parameters<Bus['publish']>) => {
        if (left-- > 0) return Promise.reject(new BusError('transport', 'publish timed out'));
        return target.publish(...args);
      };
    },
  });
  return {
    bus: proxy,
    refuse: (n) => {
      left = n;
    },
  };
}

describe('the candle pipeline', () => {
  it('publishes one symbol’s candles while another symbol’s backfill is still fetching', async () => {
    const btc = recordedKlines('BTCUSDT', '1h', 6);
    const eth = recordedKlines('ETHUSDT', '1h', 6);
    const { bus, published } = await busWithListener('test-candles');
    // BTC's backfill hangs until released, as a slow venue's REST would.
    let release: (page: CandlePage) => void = () => {};
    const rest: CandleSource = {
      fetchCandles: (symbol) => {
        if (symbol !== 'BTC-USDT') throw new Error(`unexpected backfill of ${symbol}`);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    };
    const pipeline = pipelineOf(['BTC-USDT', 'ETH-USDT'], rest, bus, clock);
    pipeline.onCandle(btc[0]!);
    pipeline.onCandle(btc[3]!); // two candles missing: a backfill that hangs
    for (const c of eth) pipeline.onCandle(c);
    // BTC's first candle goes out on its own connection from the pool: under load, after ETH's six.
    await waitFor(
      () =>
        published.filter((c) => c.symbol === 'ETH-USDT').length === 6 &&
        published.some((c) => c.symbol === 'BTC-USDT'),
      'every ETH candle and BTC’s first',
    );
    expect(published.filter((c) => c.symbol === 'BTC-USDT').map((c) => c.openTime)).toEqual([
      btc[0]!.openTime,
    ]);

    release({ candles: btc.slice(1, 3), rejected: [] });
    await pipeline.idle();
    await waitFor(() => published.filter((c) => c.symbol === 'BTC-USDT').length === 4, 'BTC in order');
    expect(published.filter((c) => c.symbol === 'BTC-USDT').map((c) => c.openTime)).toEqual(
      btc.slice(0, 4).map((c) => c.openTime),
    );
    pipeline[Symbol.dispose]();
  });

  it('after a reconnect right after a bar closed, backfills that bar too, once REST’s copy of it is final', async () => {
    // Real XRPUSDT 1h candles (binance-spot-ohlcv/XRPUSDT-1h.csv.gz), from the start: its own series.
    const xrp = recordedKlines('XRPUSDT', '1h', 5).map((c) => ({ ...c, symbol: 'XRP-USDT' }));
    const last = xrp[4]!;
    const closed = last.closeTime + 1;
    // Our clock starts 300 ms past bar 4's close and runs. The venue's clock is behind ours, so its bar 4
    // is still forming for 1 s: derived from the final one, before the bar's last trades (close back at
    // the open, half the volume). Bar 4's final kline came while no stream was open: only REST has it.
    const t0 = Date.now();
    const at: Clock = { now: () => closed + 300 + (Date.now() - t0) };
    const unfinished: Candle = { ...last, close: last.open, volume: last.volume / 2 };
    const fetched: Array<{ since: number; until: number; at: number }> = [];
    const rest: CandleSource = {
      // Every bar in [since, until] whose close is past our clock's now, with no settle margin: the pipeline
      // alone must keep the unfinished bar out (CcxtRest also leaves out a bar within REST_SETTLE_MS).
      fetchCandles: async (_symbol, _tf, since, until) => {
        const now = at.now();
        fetched.push({ since, until, at: now });
        const bars = [...xrp.slice(0, 4), now > closed + 1_000 ? last : unfinished].filter(
          (c) => c.openTime >= since && c.openTime <= until && c.closeTime < now,
        );
        return { candles: bars, rejected: [] };
      },
    };
    const { bus, published } = await busWithListener('test-candles-settle');
    const pipeline = pipelineOf(['XRP-USDT'], rest, bus, at);
    pipeline.onCandle(xrp[0]!);
    pipeline.catchUp(); // the stream reopened: bars 1 to 4 closed while it was down
    await waitFor(() => published.length === 5, 'five XRP candles');

    expect(published).toEqual(xrp);
    const stored = await new CandleRepository(handle.db).range({
      exchange: 'binance',
      symbol: 'XRP-USDT',
      timeframe: '1h',
      fromOpenTime: 0,
      toOpenTime: Number.MAX_SAFE_INTEGER,
    });
    expect(stored.at(-1)).toEqual(last);
    expect(fetched.map(({ since, until }) => [since, until])).toEqual([[xrp[1]!.openTime, last.openTime]]);
    expect(fetched[0]!.at).toBeGreaterThanOrEqual(closed + REST_SETTLE_MS);
    pipeline[Symbol.dispose]();
  });

  it('a gap widened over a bar that just closed waits for the bar to settle before REST fetches it', async () => {
    // Real ADAUSDT 1h candles (binance-spot-ohlcv/ADAUSDT-1h.csv.gz), from the start: its own series.
    const ada = recordedKlines('ADAUSDT', '1h', 5).map((c) => ({ ...c, symbol: 'ADA-USDT' }));
    const last = ada[4]!;
    // Our clock starts 300 ms past bar 4's close and runs; the venue's bar 4 is final 1 s after it.
    const t0 = Date.now();
    const at: Clock = { now: () => last.closeTime + 1 + 300 + (Date.now() - t0) };
    const unfinished: Candle = { ...last, close: last.open, volume: last.volume / 2 };
    const rest: CandleSource = {
      fetchCandles: async (_symbol, _tf, since, until) => {
        const settled = at.now() > last.closeTime + 1_000;
        const bars = [...ada.slice(0, 4), settled ? last : unfinished].filter(
          (c) => c.openTime >= since && c.openTime <= until && c.closeTime < at.now(),
        );
        return { candles: bars, rejected: [] };
      },
    };
    const { bus, published } = await busWithListener('test-candles-widened');
    // No room to hold: the stream's final bar 4 is let go and the backfill range widened over it.
    const pipeline = pipelineOf(['ADA-USDT'], rest, bus, at, 0);
    pipeline.onCandle(ada[0]!);
    pipeline.onCandle(last);
    await waitFor(() => published.length === 5, 'five ADA candles');
    expect(published).toEqual(ada);
    pipeline[Symbol.dispose]();
  });

  it('fetches a candle lost while a backfill was pending too, instead of publishing around the hole', async () => {
    // Real SOLUSDT 1h candles (binance-spot-ohlcv/SOLUSDT-1h.csv.gz), from the start: its own series.
    const sol = recordedKlines('SOLUSDT', '1h', 8).map((c) => ({ ...c, symbol: 'SOL-USDT' }));
    const fetched: Array<[number, number]> = [];
    const rest: CandleSource = {
      fetchCandles: async (_symbol, _tf, since, until) => {
        fetched.push([since, until]);
        if (fetched.length === 1)
          throw new RestError('network', 'fetchOHLCV SOL-USDT 1h failed: NetworkError: ECONNRESET');
        return { candles: sol.filter((c) => c.openTime >= since && c.openTime <= until), rejected: [] };
      },
    };
    const { bus, published } = await busWithListener('test-candles-held-hole');
    const pipeline = pipelineOf(['SOL-USDT'], rest, bus, clock);
    pipeline.onCandle(sol[0]!);
    pipeline.onCandle(sol[3]!); // bars 1 and 2 missing: the first backfill fails, a retry is due
    await pipeline.idle();
    pipeline.onCandle(sol[4]!); // held behind the gap
    pipeline.onCandle(sol[6]!); // bar 5's frame never came
    pipeline.onCandle(sol[7]!);
    await waitFor(() => published.at(-1)?.openTime === sol[7]!.openTime, 'the last SOL candle');
    expect(published).toEqual(sol);
    expect(fetched).toEqual([
      [sol[1]!.openTime, sol[2]!.openTime],
      [sol[1]!.openTime, sol[5]!.openTime],
    ]);
    pipeline[Symbol.dispose]();
  });

  it('retries a stream candle whose publish failed, holding newer ones behind it, without asking REST', async () => {
    // Real BNBUSDT 1h candles (binance-spot-ohlcv/BNBUSDT-1h.csv.gz), from the start: its own series.
    const bnb = recordedKlines('BNBUSDT', '1h', 4).map((c) => ({ ...c, symbol: 'BNB-USDT' }));
    const rest: CandleSource = {
      fetchCandles: async () => {
        throw new Error('REST asked for a candle the stream brought');
      },
    };
    const { bus, published } = await busWithListener('test-candles-publish-failed');
    const registry = new Registry();
    const statuses: string[] = [];
    const wire = refusing(bus);
    const pipeline = pipelineOf(['BNB-USDT'], rest, wire.bus, clock, 100, { registry, statuses });
    pipeline.onCandle(bnb[0]!);
    await pipeline.idle();
    // The bus refuses bar 1's publish twice (a leader election): it waits, bar 2 behind it.
    wire.refuse(2);
    pipeline.onCandle(bnb[1]!);
    pipeline.onCandle(bnb[2]!);
    await waitFor(() => published.length === 3, 'bars 1 and 2 once the bus takes them');
    pipeline.onCandle(bnb[3]!);
    await waitFor(() => published.length === 4, 'bar 3');
    expect(published).toEqual(bnb);
    expect(statuses).toEqual([
      `backfilling: store_or_publish: ${bnb[1]!.openTime}..${bnb[1]!.openTime}`,
      'live: backfill done',
    ]);
    const text = await registry.metrics();
    expect(text).toContain('ballast_md_backfill_failures_total{venue="binance",reason="store_or_publish"} 2');
    expect(text).toContain('ballast_md_frames_total{venue="binance",outcome="ok"} 4');
    pipeline[Symbol.dispose]();
  });

  it('does not ask REST again on a reconnect while an IP ban (HTTP 418) it was given is not over', async () => {
    // Real DOGEUSDT 1h candles (binance-spot-ohlcv/DOGEUSDT-1h.csv.gz), from the start: its own series.
    const doge = recordedKlines('DOGEUSDT', '1h', 4).map((c) => ({ ...c, symbol: 'DOGE-USDT' }));
    const fetched: Array<[number, number]> = [];
    const rest: CandleSource = {
      fetchCandles: async (_symbol, _tf, since, until) => {
        fetched.push([since, until]);
        throw new RestError('banned', 'fetchOHLCV DOGE-USDT 1h failed: DDoSProtection: binance 418', {
          retryAfterMs: 60_000,
        });
      },
    };
    const { bus, published } = await busWithListener('test-candles-banned');
    const pipeline = pipelineOf(['DOGE-USDT'], rest, bus, clock);
    pipeline.onCandle(doge[0]!);
    pipeline.onCandle(doge[3]!); // bars 1 and 2 missing: the backfill is answered with a ban
    await pipeline.idle();
    pipeline.catchUp(); // the stream reconnected meanwhile
    await pipeline.idle();
    expect(fetched).toEqual([[doge[1]!.openTime, doge[2]!.openTime]]);
    expect(published.map((c) => c.openTime)).toEqual([doge[0]!.openTime]);
    pipeline[Symbol.dispose]();
  });

  it('seeds after the newest real stored candle, passing over one stored from the future, so live candles still go out', async () => {
    // Real BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz), rows 500–503: a stretch no other
    // test stores. The edited copy of row 503, its times in microseconds, is what a backfill or a
    // release before the stream's from_future guard left in the database.
    const btc = recordedKlines('BTCUSDT', '1h', 504).slice(500);
    const inMicros: Candle = {
      ...btc[3]!,
      openTime: btc[3]!.openTime * 1000,
      closeTime: btc[3]!.closeTime * 1000,
    };
    const repo = new CandleRepository(handle.db);
    await repo.upsertMany([...btc.slice(0, 3), inMicros]);
    const rest: CandleSource = {
      fetchCandles: async (symbol) => {
        throw new Error(`unexpected backfill of ${symbol}`);
      },
    };
    const registry = new Registry();
    const { bus, published } = await busWithListener('test-candles-seed-future');
    const pipeline = pipelineOf(['BTC-USDT'], rest, bus, clock, 100, { registry });
    await pipeline.seed();
    pipeline.onCandle(btc[3]!); // the live candle after the newest real stored one
    await pipeline.idle();
    await waitFor(() => published.length === 1, 'the live candle published');
    expect(published.map((c) => c.openTime)).toEqual([btc[3]!.openTime]);
    const frames = await registry.getSingleMetric('ballast_md_frames_total')?.get();
    expect(frames?.values.find((v) => v.labels.outcome === 'from_future')?.value).toBe(1);
    expect(frames?.values.find((v) => v.labels.outcome === 'out_of_order')).toBeUndefined();
    pipeline[Symbol.dispose]();
  });
});
