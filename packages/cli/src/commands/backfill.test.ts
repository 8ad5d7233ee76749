import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Candle, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { FeatureEngine, parseBinanceKlineCsv, WARM_UP_MARGIN } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { CcxtRest, REST_SETTLE_MS } from '@ballast/exchange';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import { SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  freePortRun,
  readDataFile,
  sharedDataDir,
  type TestDatabase,
} from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program';
import { parseRequest } from './backfill';
import { type BackfillProgress, backfillCandles, type CandleSource } from './backfill-candles';
import { parseWarmUpPlan, warmUpHistory, warmUpReport } from './warm-up';

// The simulator serves binance-spot-ohlcv/{BTC,ETH}USDT-1h.csv.gz over /api/v3/klines. The range
// includes the real 33-hour exchange outage from 2018-02-08 00:00, which must stay a gap.
const FILES = {
  'BTC-USDT': 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz',
  'ETH-USDT': 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz',
};
const SINCE = Date.UTC(2018, 1, 1);
const UNTIL = Date.UTC(2018, 3, 1);

let sim: ExchangeSim;
let database: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      framesFile: null,
      candles: [
        { symbol: 'BTCUSDT', interval: '1h', file: FILES['BTC-USDT'] },
        { symbol: 'ETHUSDT', interval: '1h', file: FILES['ETH-USDT'] },
      ],
    },
  });
  database = await createTestDatabase('cli_backfill');
  handle = await createDb({ url: database.url, poolSize: 2 });
  await migrate(handle.db);
});

afterEach(() => sim.controls.clearHttpFaults());

afterAll(async () => {
  await handle.db.destroy();
  await database.drop();
  await sim.close();
});

const recorded = Object.fromEntries(
  Object.entries(FILES).map(([symbol, file]) => [
    symbol,
    parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe: '1h' }).candles,
  ]),
) as Record<keyof typeof FILES, Candle[]>;

const recordedIn = (symbol: keyof typeof FILES, from: number, to: number) =>
  recorded[symbol].filter((c) => c.openTime >= from && c.openTime <= to);

const expectedRows = (symbol: keyof typeof FILES) => recordedIn(symbol, SINCE, UNTIL);

describe('backfillCandles', () => {
  it('stores every recorded candle of the range over paginated REST, twice without new rows', async () => {
    const clock = new SystemClock();
    const source = CcxtRest.create(
      { exchangeId: 'binance', baseUrl: sim.restUrl },
      { clock, random01: () => 0.5, minIntervalMs: 10 },
    );
    const request = parseRequest(
      {
        exchange: 'binance',
        symbols: 'BTC/USDT,ETH/USDT',
        timeframe: '1h',
        since: '2018-02-01',
        until: String(UNTIL),
      },
      clock,
    );
    const progress: BackfillProgress[] = [];
    const summaries = await backfillCandles(request, {
      db: handle.db,
      source,
      onProgress: (p) => progress.push(p),
    });

    const btc = expectedRows('BTC-USDT');
    const eth = expectedRows('ETH-USDT');
    // 1,417 hourly slots minus the real outages: more than one 1,000-candle page.
    expect(btc.length).toBeGreaterThan(1_000);
    expect(btc.length).toBeLessThan(1_417);
    expect(summaries).toEqual([
      { symbol: 'BTC-USDT', fetched: btc.length, stored: btc.length, rejected: 0, skipped: 0 },
      { symbol: 'ETH-USDT', fetched: eth.length, stored: eth.length, rejected: 0, skipped: 0 },
    ]);
    expect(progress.filter((p) => p.symbol === 'BTC-USDT').map((p) => p.done)).toEqual([1_000, 1_417]);
    const repo = new CandleRepository(handle.db);
    const key = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' as const };
    const stored = await repo.range({ ...key, fromOpenTime: SINCE, toOpenTime: UNTIL + 1 });
    expect(stored.map((c) => c.openTime)).toEqual(btc.map((c) => c.openTime));
    expect(stored.map((c) => c.close)).toEqual(btc.map((c) => c.close));

    await backfillCandles(request, { db: handle.db, source });
    expect(await repo.count(key)).toBe(btc.length);
  });

  it('stores no bar closed less than REST_SETTLE_MS before the clock: the venue may still be forming it', async () => {
    const H = 3_600_000;
    // Three recorded bars after the range above; our clock 1 ms short of the last one settling.
    const [since, until] = [UNTIL + 10 * H, UNTIL + 12 * H];
    let now = until + H + REST_SETTLE_MS - 1;
    const source = CcxtRest.create(
      { exchangeId: 'binance', baseUrl: sim.restUrl },
      { clock: { now: () => now }, random01: () => 0.5, minIntervalMs: 10 },
    );
    const request = { exchange: 'binance', symbols: ['BTC-USDT'], timeframe: '1h' as const, since, until };
    const repo = new CandleRepository(handle.db);
    const stored = async () =>
      (
        await repo.range({
          exchange: 'binance',
          symbol: 'BTC-USDT',
          timeframe: '1h',
          fromOpenTime: since,
          toOpenTime: until + 1,
        })
      ).map((c) => c.openTime);

    expect(await backfillCandles(request, { db: handle.db, source })).toEqual([
      { symbol: 'BTC-USDT', fetched: 2, stored: 2, rejected: 0, skipped: 0 },
    ]);
    expect(await stored()).toEqual([since, since + H]);
    // Settled: the next run takes it.
    now += 1;
    await backfillCandles(request, { db: handle.db, source });
    expect(await stored()).toEqual([since, since + H, until]);
  });

  it('refuses a bad time range or timeframe with a clear message', () => {
    const clock = new SystemClock();
    const base = { exchange: 'binance', symbols: 'BTC/USDT', timeframe: '1h', since: '2024-01-01' };
    expect(() => parseRequest({ ...base, timeframe: '2h' }, clock)).toThrow('invalid --timeframe "2h"');
    expect(() => parseRequest({ ...base, since: 'yesterday' }, clock)).toThrow('invalid --since "yesterday"');
    expect(() => parseRequest({ ...base, until: '2023-01-01' }, clock)).toThrow('--until is before --since');
  });
});

// --warm-up over the same recorded files, with the clock a month before they end: every 400-day
// stretch of them holds real exchange outages, which stay gaps.
const H = TIMEFRAME_MS['1h'];
/** 00:30: the 00:00 bar is forming, 23:00 the newest closed one. */
const NOW = Date.UTC(2022, 8, 1, 0, 30);
const ENV = { VENUE: 'binance', SYMBOLS: 'BTC/USDT,ETH/USDT', TIMEFRAME: '1h' };
const WANTED = new FeatureEngine().warmUpBars('1h');
const BARS = WANTED + Math.ceil(WANTED * WARM_UP_MARGIN);
const WINDOW = 1_000;

/** The source the warm-up is given, recording each window it asks the venue for. */
function recordingSource(now: () => number, baseUrl = sim.restUrl, retryAttempts = 5) {
  const rest = CcxtRest.create(
    { exchangeId: 'binance', baseUrl },
    {
      clock: { now },
      random01: () => 0.5,
      minIntervalMs: 10,
      retry: { attempts: retryAttempts, baseMs: 5, capMs: 20 },
    },
  );
  const calls: Array<{ symbol: string; timeframe: Timeframe; since: number; until: number }> = [];
  const source: CandleSource = {
    fetchCandles: (symbol, timeframe, since, until) => {
      calls.push({ symbol, timeframe, since, until });
      return rest.fetchCandles(symbol, timeframe, since, until);
    },
  };
  return { source, calls };
}

async function storedOpenTimes(symbol: string, from: number, to: number): Promise<number[]> {
  const range = { exchange: 'binance', symbol, timeframe: '1h' as const };
  const rows = await new CandleRepository(handle.db).range({
    ...range,
    fromOpenTime: from,
    toOpenTime: to + 1,
  });
  return rows.map((c) => c.openTime);
}

describe('ballast backfill --warm-up', () => {
  const since = Date.UTC(2022, 8, 1) - BARS * H;
  const until = Date.UTC(2022, 8, 1) - H;

  it("fetches exactly the features' 1h budget plus its margin, up to the newest closed bar, for market-data's symbols", async () => {
    const { plan, restUrl } = parseWarmUpPlan({}, { ...ENV, REST_URL: sim.restUrl });
    expect(plan).toEqual({ exchange: 'binance', symbols: ['BTC-USDT', 'ETH-USDT'], timeframes: ['1h'] });
    expect(restUrl).toBe(sim.restUrl);
    const { source, calls } = recordingSource(() => NOW);

    const outcomes = await warmUpHistory(plan, { db: handle.db, source, clock: { now: () => NOW } });

    for (const symbol of ['BTC-USDT', 'ETH-USDT'] as const) {
      const asked = calls.filter((c) => c.symbol === symbol);
      // Consecutive windows, from the first bar of the budget (and margin) to the newest closed one.
      expect(asked[0]?.since).toBe(since);
      expect(asked.at(-1)?.until).toBe(until);
      expect(asked.length).toBe(Math.ceil(BARS / WINDOW));
      for (let i = 1; i < asked.length; i++) expect(asked[i]?.since).toBe((asked[i - 1]?.until ?? 0) + H);
      const expected = recordedIn(symbol, since, until);
      // Nothing beyond the window either (the backfillCandles tests above stored bars up to UNTIL + 12 h).
      expect(await storedOpenTimes(symbol, UNTIL + 13 * H, NOW)).toEqual(expected.map((c) => c.openTime));
      const outcome = outcomes.find((o) => o.symbol === symbol);
      expect(outcome).toMatchObject({
        timeframe: '1h',
        window: { wanted: WANTED, since, until },
        held: expected.length,
        added: expected.length,
        summary: { fetched: expected.length, stored: expected.length, rejected: 0, skipped: 0 },
        failure: null,
      });
      // The real outages in the window cost fewer bars than the margin: the budget is met.
      expect(expected.length).toBeGreaterThanOrEqual(WANTED);
      expect(expected.length).toBeLessThan(BARS);
      expect(warmUpReport(outcome!)).toEqual({
        short: false,
        line: expect.stringMatching(
          new RegExp(
            `^binance ${symbol} 1h: holds ${expected.length} of the ${WANTED} bars features replays \\(${expected.length} new\\)`,
          ),
        ),
      });
    }
  });

  it('an hour later fetches only the newest window and the windows holding a real outage, which the venue never fills', async () => {
    const later = NOW + H;
    const { plan } = parseWarmUpPlan({ restUrl: sim.restUrl }, ENV);
    const { source, calls } = recordingSource(() => later);

    const outcomes = await warmUpHistory(plan, { db: handle.db, source, clock: { now: () => later } });

    const [since2, until2] = [since + H, until + H];
    for (const symbol of ['BTC-USDT', 'ETH-USDT'] as const) {
      const windows: Array<{ since: number; until: number }> = [];
      for (let from = since2; from <= until2; from += WINDOW * H)
        windows.push({ since: from, until: Math.min(from + (WINDOW - 1) * H, until2) });
      const slots = (w: { since: number; until: number }) => (w.until - w.since) / H + 1;
      const withOutage = windows.filter((w) => recordedIn(symbol, w.since, w.until).length < slots(w));
      const newest = windows.at(-1)!;
      const expected = [...new Set([...withOutage, newest])];
      expect(calls.filter((c) => c.symbol === symbol).map(({ since, until }) => ({ since, until }))).toEqual(
        expected,
      );
      // Most of the history was not asked for again.
      expect(expected.length).toBeLessThanOrEqual(windows.length / 2);
      expect(await storedOpenTimes(symbol, since2, until2)).toEqual(
        recordedIn(symbol, since2, until2).map((c) => c.openTime),
      );
      expect(outcomes.find((o) => o.symbol === symbol)).toMatchObject({ added: 1, failure: null });
    }
  });

  it('warns short_history for every series when the venue is unreachable, asking it once', async () => {
    // A year before the history stored above: nothing of this window is stored. Nothing listens on the port.
    const early = Date.UTC(2019, 5, 1, 0, 30);
    const port = await freePortRun(1);
    const { plan } = parseWarmUpPlan({}, ENV);
    const { source, calls } = recordingSource(() => early, `http://127.0.0.1:${port}`, 2);

    const outcomes = await warmUpHistory(plan, { db: handle.db, source, clock: { now: () => early } });

    // The venue failed on BTC: ETH waits out no second round of retries.
    expect(calls.map((c) => c.symbol)).toEqual(['BTC-USDT']);
    expect(outcomes.map((o) => [o.symbol, o.held, o.summary, o.failure?.reason])).toEqual([
      ['BTC-USDT', 0, null, 'network'],
      ['ETH-USDT', 0, null, 'network'],
    ]);
    const reports = outcomes.map(warmUpReport);
    expect(reports.map((r) => r.short)).toEqual([true, true]);
    expect(reports[0]?.line).toMatch(
      new RegExp(
        `^warning: short_history binance BTC-USDT 1h: holds 0 of the ${WANTED} bars features replays`,
      ),
    );
    expect(reports[1]?.line).toContain('not asked, the venue failed first');
  });

  it('asks the venue for every series when it answers with an error for one (it may be about that symbol)', async () => {
    const early = Date.UTC(2019, 5, 1, 0, 30);
    sim.controls.failHttp({ kind: 'server_error', count: Number.POSITIVE_INFINITY });
    const { plan } = parseWarmUpPlan({ restUrl: sim.restUrl }, ENV);
    const { source, calls } = recordingSource(() => early);

    const outcomes = await warmUpHistory(plan, { db: handle.db, source, clock: { now: () => early } });

    expect(calls.map((c) => c.symbol)).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(outcomes.map((o) => [o.symbol, o.held, o.failure?.reason])).toEqual([
      ['BTC-USDT', 0, 'exchange'],
      ['ETH-USDT', 0, 'exchange'],
    ]);
    expect(outcomes.map((o) => warmUpReport(o).short)).toEqual([true, true]);
  });

  it('as a command, exits 0 with a short_history warning per series when the venue fails', async () => {
    sim.controls.failHttp({ kind: 'server_error', count: Number.POSITIVE_INFINITY });
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'backfill', '--warm-up'], {
      env: { ...process.env, ...ENV, REST_URL: sim.restUrl, DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, 'exit');
    expect(stderr).toMatch(/^warning: short_history binance BTC-USDT 1h: holds 0 of the \d+ bars/m);
    expect(stderr).toMatch(/^warning: short_history binance ETH-USDT 1h: holds 0 of the \d+ bars/m);
    expect(code).toBe(0);
  }, 60_000);

  it('refuses --since with --warm-up, and names the variables and flags when neither says which symbols', async () => {
    await expect(
      buildProgram().parseAsync(['backfill', '--warm-up', '--since', '2024-01-01'], { from: 'user' }),
    ).rejects.toThrow('--warm-up computes its own range');
    expect(() => parseWarmUpPlan({}, { VENUE: 'binance' })).toThrow(
      /--warm-up reads market-data's variables, or --exchange, --symbols, --timeframe: .*SYMBOLS/s,
    );
    expect(parseWarmUpPlan({ symbols: 'SOL/USDT', timeframe: '4h' }, ENV).plan).toEqual({
      exchange: 'binance',
      symbols: ['SOL-USDT'],
      timeframes: ['4h'],
    });
    expect(parseWarmUpPlan({}, { ...ENV, FEATURES_WARMUP_CANDLES: '500' }).plan.wanted).toBe(500);
  });
});
