import { readDataFile } from '@ballast/testkit';
import ccxt, { type OHLCV, type OrderBook } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { type CcxtExchange, CcxtRest, createCcxtExchange, REST_SETTLE_MS } from './ccxt-rest';
import { withHttpFailure } from './http-failure';
import { RestError } from './rest-error';

// Candles: binance-spot-ohlcv/BTCUSDT-1h.csv.gz (with its real 33-hour gap from 2018-02-08 00:00).
// Depth: binance-rest/2021-10-22_spot_api-v3-depth_BTCUSDT_limit10.json.
const H = 3_600_000;
const rows: OHLCV[] = readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz')
  .split('\n')
  .slice(1)
  .filter((l) => l.length > 0)
  .map((l) => {
    const [t, o, h, lo, c, v] = l.split(',').map(Number);
    return [t, o, h, lo, c, v];
  });
const depthBody = JSON.parse(
  readDataFile('binance-rest/2021-10-22_spot_api-v3-depth_BTCUSDT_limit10.json'),
) as {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
};

/** A venue double over recorded rows: answers like Binance klines (open time ≥ since, up to limit). */
function fakeVenue(source: OHLCV[], failures: unknown[] = []) {
  const calls: Array<{ since: number | undefined; limit: number | undefined }> = [];
  const exchange: CcxtExchange = {
    loadMarkets: async () => ({}),
    fetchOHLCV: async (_symbol, _tf, since, limit) => {
      calls.push({ since, limit });
      const failure = failures.shift();
      if (failure) throw failure;
      return source.filter((r) => (r[0] ?? 0) >= (since ?? 0)).slice(0, limit);
    },
    fetchOrderBook: async () =>
      ({
        bids: depthBody.bids.map(([p, s]) => [Number(p), Number(s)]),
        asks: depthBody.asks.map(([p, s]) => [Number(p), Number(s)]),
        nonce: depthBody.lastUpdateId,
        timestamp: undefined,
      }) as unknown as OrderBook,
  };
  return { exchange, calls };
}

/** A clock that only moves when the code under test sleeps, so every wait is observable. */
function virtualTime(start: number) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const start2018 = Date.UTC(2018, 0, 1);
const end2018H1 = Date.UTC(2018, 5, 30, 23);
const inRange = rows.filter((r) => (r[0] ?? 0) >= start2018 && (r[0] ?? 0) <= end2018H1);

describe('CcxtRest.fetchCandles', () => {
  it('pages 1,000 at a time from the last open time + 1h across a real gap, and returns every candle once', async () => {
    const { exchange, calls } = fakeVenue(rows);
    const time = virtualTime(Date.UTC(2022, 11, 1));
    const rest = new CcxtRest(exchange, 'binance', { ...time, random01: () => 0.5 });
    const page = await rest.fetchCandles('BTC-USDT', '1h', start2018, end2018H1);
    expect(page.rejected).toEqual([]);
    expect(page.candles.map((c) => c.openTime)).toEqual(inRange.map((r) => r[0]));
    expect(page.candles[0]).toEqual({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1h',
      openTime: start2018,
      closeTime: start2018 + H - 1,
      open: inRange[0]?.[1],
      high: inRange[0]?.[2],
      low: inRange[0]?.[3],
      close: inRange[0]?.[4],
      volume: inRange[0]?.[5],
    });
    expect(calls.map((c) => c.limit)).toEqual(Array(calls.length).fill(1000));
    expect(calls[0]?.since).toBe(start2018);
    expect(calls[1]?.since).toBe((inRange[999]?.[0] as number) + H);
    expect(calls).toHaveLength(Math.ceil(inRange.length / 1000));
  });

  it('leaves out the bar still forming at the clock time', async () => {
    const lastOpen = rows.at(-1)?.[0] as number;
    const time = virtualTime(lastOpen + 30 * 60_000);
    const rest = new CcxtRest(fakeVenue(rows).exchange, 'binance', { ...time, random01: () => 0.5 });
    const page = await rest.fetchCandles('BTC-USDT', '1h', lastOpen - 2 * H, lastOpen);
    expect(page.candles.map((c) => c.openTime)).toEqual([lastOpen - 2 * H, lastOpen - H]);
  });

  it('leaves out a bar closed less than REST_SETTLE_MS ago: the venue may still be forming it', async () => {
    const lastOpen = rows.at(-1)?.[0] as number;
    const fetchAt = async (now: number) => {
      const rest = new CcxtRest(fakeVenue(rows).exchange, 'binance', {
        ...virtualTime(now),
        random01: () => 0.5,
      });
      const page = await rest.fetchCandles('BTC-USDT', '1h', lastOpen - H, lastOpen);
      return page.candles.map((c) => c.openTime);
    };
    expect(await fetchAt(lastOpen + H + REST_SETTLE_MS - 1)).toEqual([lastOpen - H]);
    expect(await fetchAt(lastOpen + H + REST_SETTLE_MS)).toEqual([lastOpen - H, lastOpen]);
  });

  it('returns rows that break the contract as rejected, with the reason', async () => {
    const edited = inRange.slice(0, 3).map((r) => [...r] as OHLCV);
    (edited[1] as OHLCV)[2] = ((edited[1] as OHLCV)[3] as number) - 1;
    const rest = new CcxtRest(fakeVenue(edited).exchange, 'binance', {
      ...virtualTime(end2018H1 + H * 100),
      random01: () => 0,
    });
    const page = await rest.fetchCandles('BTC-USDT', '1h', start2018, start2018 + 2 * H);
    expect(page.candles.map((c) => c.openTime)).toEqual([start2018, start2018 + 2 * H]);
    expect(page.rejected).toEqual([{ openTime: start2018 + H, issue: 'high: high < low' }]);
  });

  it('spaces requests by the rate limiter interval', async () => {
    const time = virtualTime(Date.UTC(2022, 11, 1));
    const rest = new CcxtRest(fakeVenue(rows).exchange, 'binance', {
      ...time,
      random01: () => 0.5,
      minIntervalMs: 250,
    });
    await rest.fetchCandles('BTC-USDT', '1h', start2018, end2018H1);
    expect(time.sleeps).toEqual([250, 250, 250, 250]);
  });
});

describe('CcxtRest retries', () => {
  const retry = { attempts: 4, baseMs: 100, capMs: 1_000 };

  it('retries NetworkError, RateLimitExceeded and DDoSProtection with jittered backoff', async () => {
    const failures = [
      new ccxt.NetworkError('reset'),
      new ccxt.RateLimitExceeded('429'),
      new ccxt.DDoSProtection('418'),
    ];
    const { exchange, calls } = fakeVenue(rows, failures);
    const time = virtualTime(Date.UTC(2022, 11, 1));
    const rest = new CcxtRest(exchange, 'binance', { ...time, random01: () => 0.5, minIntervalMs: 0, retry });
    const page = await rest.fetchCandles('BTC-USDT', '1h', start2018, start2018 + 2 * H);
    expect(page.candles).toHaveLength(3);
    expect(calls).toHaveLength(4);
    expect(time.sleeps).toEqual([50, 100, 200]);
  });

  it('waits a 429’s Retry-After between tries, and leaves one longer than the cap to the caller', async () => {
    const throttled = (seconds: number) =>
      withHttpFailure(new ccxt.RateLimitExceeded('binance 429'), {
        status: 429,
        retryAfterMs: seconds * 1_000,
      });
    const { exchange, calls } = fakeVenue(rows, [throttled(0.5), throttled(3)]);
    const time = virtualTime(Date.UTC(2022, 11, 1));
    const rest = new CcxtRest(exchange, 'binance', { ...time, random01: () => 0.5, minIntervalMs: 0, retry });
    const error = await rest.fetchCandles('BTC-USDT', '1h', start2018, start2018).catch((e: unknown) => e);
    expect(time.sleeps).toEqual([500]);
    expect(calls).toHaveLength(2);
    expect(error).toMatchObject({ reason: 'rate_limited', retryAfterMs: 3_000 });
  });

  it('never retries an IP ban (HTTP 418, DDoSProtection to ccxt): it is a banned error with its Retry-After', async () => {
    const ban = withHttpFailure(new ccxt.DDoSProtection('binance 418'), {
      status: 418,
      retryAfterMs: 120_000,
    });
    const { exchange, calls } = fakeVenue(rows, [ban]);
    const time = virtualTime(Date.UTC(2022, 11, 1));
    const rest = new CcxtRest(exchange, 'binance', { ...time, random01: () => 0.5, minIntervalMs: 0, retry });
    const error = await rest.fetchCandles('BTC-USDT', '1h', start2018, start2018).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ reason: 'banned', retryAfterMs: 120_000 });
    expect(calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('does not retry other ccxt errors and reports them as exchange errors', async () => {
    const { exchange, calls } = fakeVenue(rows, [
      new ccxt.BadSymbol('binance does not have market symbol FOO/USDT'),
    ]);
    const rest = new CcxtRest(exchange, 'binance', { ...virtualTime(0), random01: () => 0.5, retry });
    const error = await rest.fetchCandles('FOO-USDT', '1h', start2018, start2018).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ reason: 'exchange' });
    expect(calls).toHaveLength(1);
  });

  it('gives up after the last attempt with a rate_limited error and no query string in the message', async () => {
    const failures = Array.from(
      { length: 4 },
      () =>
        new ccxt.RateLimitExceeded(
          'binance GET https://api.binance.com/api/v3/klines?symbol=BTCUSDT&signature=abc 429',
        ),
    );
    const rest = new CcxtRest(fakeVenue(rows, failures).exchange, 'binance', {
      ...virtualTime(0),
      random01: () => 1,
      retry,
    });
    const error = (await rest
      .fetchCandles('BTC-USDT', '1h', start2018, start2018)
      .catch((e: unknown) => e)) as RestError;
    expect(error.reason).toBe('rate_limited');
    expect(error.message).toBe(
      'fetchOHLCV BTC-USDT 1h failed: RateLimitExceeded: binance GET https://api.binance.com/api/v3/klines?… 429',
    );
  });
});

describe('CcxtRest.fetchDepthSnapshot', () => {
  it('maps the recorded depth body to a snapshot carrying lastUpdateId', async () => {
    const rest = new CcxtRest(fakeVenue(rows).exchange, 'binance', {
      ...virtualTime(1_634_900_000_000),
      random01: () => 0,
    });
    const snapshot = await rest.fetchDepthSnapshot('BTC-USDT', 10);
    expect(snapshot).toMatchObject({
      exchange: 'binance',
      symbol: 'BTC-USDT',
      kind: 'snapshot',
      firstUpdateId: null,
      time: 1_634_900_000_000,
    });
    expect(snapshot.lastUpdateId).toBe(depthBody.lastUpdateId);
    expect(snapshot.bids[0]).toEqual([Number(depthBody.bids[0]?.[0]), Number(depthBody.bids[0]?.[1])]);
    expect(snapshot.asks).toHaveLength(depthBody.asks.length);
  });

  it('refuses a book without a sequence number', async () => {
    const { exchange } = fakeVenue(rows);
    const noNonce: CcxtExchange = {
      ...exchange,
      fetchOrderBook: async (s, l) =>
        ({ ...(await exchange.fetchOrderBook(s, l)), nonce: undefined }) as OrderBook,
    };
    const rest = new CcxtRest(noNonce, 'binance', { ...virtualTime(0), random01: () => 0 });
    await expect(rest.fetchDepthSnapshot('BTC-USDT', 10)).rejects.toMatchObject({ reason: 'no_sequence' });
  });
});

describe('createCcxtExchange', () => {
  it('points every Binance and Bybit REST url at a local base, keeping paths', () => {
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    const binance = createCcxtExchange({ exchangeId: 'binance', baseUrl: 'http://127.0.0.1:9100/' });
    const urls = strings(binance.urls.api);
    expect(urls.length).toBeGreaterThan(10);
    expect(urls.every((u) => u.startsWith('http://127.0.0.1:9100/'))).toBe(true);
    expect(urls).toContain('http://127.0.0.1:9100/api/v3');
    const bybit = createCcxtExchange({ exchangeId: 'bybit', baseUrl: 'http://127.0.0.1:9200' });
    expect(new Set(strings(bybit.urls.api))).toEqual(new Set(['http://127.0.0.1:9200']));
  });

  it('refuses an exchange id ccxt does not know', () => {
    expect(() => createCcxtExchange({ exchangeId: 'nosuchvenue' })).toThrow(RestError);
  });
});
