import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CcxtRest, type CcxtRestDeps, createCcxtExchange } from './ccxt-rest';
import type { RetryPolicy } from './retry';

// A local server answering like Binance spot REST with recorded responses:
// binance-rest/2021-10-22_spot_api-v3-exchangeInfo_BTCUSDT-ETHUSDT-only.json,
// binance-rest/2021-10-22_spot_api-v3-depth_BTCUSDT_limit10.json,
// binance-spot-ws/2021-04-04_rest_depth_ETHUSDT_limit1000.json,
// binance-rest/2021-10-22_spot_api-v3-klines_BTCUSDT_1m.json.
// Its 418 and 429 bodies are Binance's documented -1003 errors (as packages/exchange-sim answers them).
const RECORDED: Record<string, string> = {
  '/api/v3/exchangeInfo': 'binance-rest/2021-10-22_spot_api-v3-exchangeInfo_BTCUSDT-ETHUSDT-only.json',
  '/api/v3/depth BTCUSDT': 'binance-rest/2021-10-22_spot_api-v3-depth_BTCUSDT_limit10.json',
  '/api/v3/depth ETHUSDT': 'binance-spot-ws/2021-04-04_rest_depth_ETHUSDT_limit1000.json',
  '/api/v3/klines BTCUSDT': 'binance-rest/2021-10-22_spot_api-v3-klines_BTCUSDT_1m.json',
};
const KLINES_FROM = 1_634_943_780_000;
const recordedUpdateId = (key: string) =>
  (JSON.parse(readDataFile(RECORDED[key] as string)) as { lastUpdateId: number }).lastUpdateId;

interface Request {
  path: string;
  symbol: string | null;
  /** The virtual clock's time when the request arrived. */
  at: number;
}

interface Refusal {
  path: string;
  symbol: string;
  status: 418 | 429;
  retryAfter?: string;
}

interface BinanceDouble {
  url: string;
  requests: Request[];
  /** Each refusal answers the next matching request once, in order. */
  refuse(...refusals: Refusal[]): void;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function binanceDouble(clock: Clock): Promise<BinanceDouble> {
  const requests: Request[] = [];
  const refusals: Refusal[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://binance');
    const symbol = url.searchParams.get('symbol');
    requests.push({ path: url.pathname, symbol, at: clock.now() });
    const i = refusals.findIndex((r) => r.path === url.pathname && r.symbol === symbol);
    const refusal = i >= 0 ? refusals.splice(i, 1)[0] : undefined;
    const file = RECORDED[symbol ? `${url.pathname} ${symbol}` : url.pathname];
    if (refusal) {
      const msg =
        refusal.status === 418
          ? 'Way too much request weight used; IP banned until 1634950120000. Please use WebSocket Streams for live updates to avoid bans.'
          : 'Too many requests; current limit of IP is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid bans.';
      const headers = refusal.retryAfter === undefined ? {} : { 'retry-after': refusal.retryAfter };
      res.writeHead(refusal.status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ code: -1003, msg }));
    } else if (file) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(readDataFile(file));
    } else {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }));
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, refuse: (...r) => void refusals.push(...r) };
}

/** A clock that moves only when the code under test sleeps, or the test advances it. */
function virtualTime(start: number) {
  let now = start;
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const T0 = Date.UTC(2021, 9, 23);
const retry: RetryPolicy = { attempts: 2, baseMs: 100, capMs: 10_000 };

async function setUp(deps: Partial<CcxtRestDeps> = {}) {
  const time = virtualTime(T0);
  const venue = await binanceDouble(time.clock);
  const full: CcxtRestDeps = { ...time, random01: () => 0.5, minIntervalMs: 0, retry, ...deps };
  const rest = new CcxtRest(
    createCcxtExchange({ exchangeId: 'binance', baseUrl: venue.url }, time.clock),
    'binance',
    full,
  );
  const sent = (path: string, symbol: string) =>
    venue.requests.filter((r) => r.path === path && r.symbol === symbol).map((r) => r.at - T0);
  return { time, venue, rest, sent };
}

describe('CcxtRest: a wait the venue names holds every call to it, whatever the symbol', () => {
  it('after an IP ban (418) on one symbol’s snapshot, no snapshot or backfill of another reaches the venue before it lifts', async () => {
    const { time, venue, rest, sent } = await setUp();
    venue.refuse({ path: '/api/v3/depth', symbol: 'ETHUSDT', status: 418, retryAfter: '120' });
    await expect(rest.fetchDepthSnapshot('ETH-USDT', 10)).rejects.toMatchObject({
      reason: 'banned',
      retryAfterMs: 120_000,
    });
    expect(rest.blockedUntil()).toBe(T0 + 120_000);

    time.advance(20_000);
    await expect(rest.fetchDepthSnapshot('BTC-USDT', 10)).rejects.toMatchObject({
      reason: 'banned',
      retryAfterMs: 100_000,
    });
    await expect(rest.fetchCandles('BTC-USDT', '1m', KLINES_FROM, KLINES_FROM)).rejects.toMatchObject({
      reason: 'banned',
      retryAfterMs: 100_000,
    });
    expect(sent('/api/v3/depth', 'BTCUSDT')).toEqual([]);
    expect(sent('/api/v3/klines', 'BTCUSDT')).toEqual([]);

    time.advance(100_000);
    expect(rest.blockedUntil()).toBeNull();
    const snapshot = await rest.fetchDepthSnapshot('BTC-USDT', 10);
    expect(snapshot.lastUpdateId).toBe(recordedUpdateId('/api/v3/depth BTCUSDT'));
    expect(sent('/api/v3/depth', 'BTCUSDT')).toEqual([120_000]);
  });

  it('holds a call for another symbol through a short Retry-After (429), then sends it', async () => {
    const { venue, rest, sent } = await setUp();
    const throttled: Refusal = { path: '/api/v3/depth', symbol: 'ETHUSDT', status: 429, retryAfter: '3' };
    venue.refuse(throttled, throttled);
    await expect(rest.fetchDepthSnapshot('ETH-USDT', 10)).rejects.toMatchObject({
      reason: 'rate_limited',
      retryAfterMs: 3_000,
    });
    expect(sent('/api/v3/depth', 'ETHUSDT')).toEqual([0, 3_000]);
    await rest.fetchDepthSnapshot('BTC-USDT', 10);
    expect(sent('/api/v3/depth', 'BTCUSDT')).toEqual([6_000]);
  });

  it('holds every call for REST_BAN_WAIT after a ban that named no Retry-After', async () => {
    const { venue, rest, sent } = await setUp({ banWaitMs: 60_000 });
    venue.refuse({ path: '/api/v3/depth', symbol: 'ETHUSDT', status: 418 });
    await expect(rest.fetchDepthSnapshot('ETH-USDT', 10)).rejects.toMatchObject({ reason: 'banned' });
    await expect(rest.fetchDepthSnapshot('BTC-USDT', 10)).rejects.toMatchObject({
      reason: 'banned',
      retryAfterMs: 60_000,
    });
    expect(sent('/api/v3/depth', 'BTCUSDT')).toEqual([]);
  });

  it('reads a Retry-After given as an HTTP-date against the injected clock', async () => {
    const { venue, rest, sent } = await setUp();
    const retryAfter = new Date(T0 + 30_000).toUTCString();
    expect(retryAfter).toBe('Sat, 23 Oct 2021 00:00:30 GMT');
    venue.refuse({ path: '/api/v3/depth', symbol: 'ETHUSDT', status: 429, retryAfter });
    await expect(rest.fetchDepthSnapshot('ETH-USDT', 10)).rejects.toMatchObject({
      reason: 'rate_limited',
      retryAfterMs: 30_000,
    });
    expect(sent('/api/v3/depth', 'ETHUSDT')).toEqual([0]);
  });
});
