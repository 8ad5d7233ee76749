import { type Candle, type Envelope, pattern, Subjects, type Trade } from '@ballast/contracts';
import { parseBinanceKlineCsv } from '@ballast/core';
import { readDataFile, uniqueName, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, isContiguous, startHarness, to8dp } from './testing/harness';

// Bybit v5 public linear through the service against the simulator:
// - candles: btc-usd-perp-1m-2022-01.csv.gz (a BTC perpetual's 1m candles), replayed by the simulator as
//   confirmed `kline.1.BTCUSDT` frames from 2022-01-10 00:00 UTC and served on `/v5/market/kline`;
// - trades and book: bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-…frames.jsonl
//   (the simulator's default Bybit recording); `orderbook.50` is the simulator's top-50 view of the
//   recorded `orderbook.200` book, under the recorded `u`/`seq`.
const PERP_FILE = 'btc-usd-perp-1m-2022-01.csv.gz';
const BYBIT_FILE =
  'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl';
const FROM = Date.UTC(2022, 0, 10);
const MINUTE = 60_000;
/** Two cores shared with other test files: REST (ccxt loads 800 instruments first) and reconnects can be slow. */
const SLOW = { timeoutMs: 30_000 };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function bybitHarness(
  label: string,
  channels: string,
  sim: object = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  return startHarness({
    label,
    sim: { bybit: sim },
    env: {
      ...env,
      VENUE: 'bybit',
      SYMBOLS: 'BTC/USDT',
      TIMEFRAME: '1m',
      CHANNELS: channels,
      // Replays are stepped by the test: silence between steps is not a dead connection.
      HEARTBEAT_TIMEOUT_MS: '600000',
      STALE_AFTER_MS: '600000',
    },
  });
}

/** The recorded perpetual's candles with open times in [from, from + count min), as the service stores them. */
function perpCandles(from: number, count: number): Candle[] {
  const { candles } = parseBinanceKlineCsv(readDataFile(PERP_FILE), {
    exchange: 'bybit',
    symbol: 'BTC-USDT',
    timeframe: '1m',
  });
  return candles.filter((c) => c.openTime >= from && c.openTime < from + count * MINUTE).map(to8dp);
}

/** Trade ids of BTCUSDT in the first `frames` recorded frames, in order. */
function recordedBtcTradeIds(frames: number): string[] {
  return readDataFile(BYBIT_FILE)
    .split('\n')
    .slice(0, frames)
    .filter((l) => l.includes('"topic":"publicTrade.BTCUSDT"'))
    .flatMap((l) => (JSON.parse(l) as { data: Array<{ i: string }> }).data.map((t) => t.i));
}

/** Subscribed once the simulator has acknowledged `n` subscribe requests in all. */
async function subscribed(h: Harness, n: number): Promise<void> {
  await waitFor(
    async () => (await h.metric('ballast_md_frames_total', { venue: 'bybit', outcome: 'ack' })) === n,
    `${n} subscribe acknowledgement(s)`,
    SLOW,
  );
}

/** Every trade the service publishes, from the start. */
async function publishedTrades(h: Harness): Promise<Trade[]> {
  const trades: Trade[] = [];
  await h.bus.subscribe(pattern(Subjects.trade), (m: Envelope<Trade>) => void trades.push(m.payload), {
    durable: uniqueName('trades'),
    deliverFrom: 'all',
  });
  return trades;
}

const btcStates = (h: Harness) => h.statuses.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state);

function step(h: Harness, count: number, feed: 'bybit' | 'bybit-candles'): void {
  expect(h.sim.controls.step(count, feed)).toBe(count);
}

type WireLevel = [string, string];
async function simBook(h: Harness): Promise<{ u: number; b: WireLevel[]; a: WireLevel[] }> {
  const res = await fetch(`${h.sim.restUrl}/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=50`);
  return ((await res.json()) as { result: { u: number; b: WireLevel[]; a: WireLevel[] } }).result;
}

const numeric = (levels: WireLevel[]) => levels.map(([p, s]) => [Number(p), Number(s)]);

/** Our book, once it has caught up with the simulator's, equals it level for level. */
async function expectSameBook(h: Harness): Promise<void> {
  const exchange = await simBook(h);
  const ours = await waitFor(
    () => {
      const book = h.service.book('BTC-USDT');
      return book?.lastUpdateId === exchange.u ? book : undefined;
    },
    `our book at the exchange's u ${exchange.u}`,
    SLOW,
  );
  expect(ours.bids).toHaveLength(50);
  expect(ours.bids).toEqual(numeric(exchange.b));
  expect(ours.asks).toEqual(numeric(exchange.a));
}

describe('market-data on Bybit v5 public against the simulator', () => {
  it('publishes and stores closed candles in order once, backfills a gap over /v5/market/kline and resubscribes after a reconnect', {
    timeout: 180_000,
  }, async () => {
    harness = await bybitHarness('md_bybit_candles', 'candles', {
      candles: [{ symbol: 'BTCUSDT', interval: '1m', file: PERP_FILE, replay: true, replayFrom: FROM }],
    });
    const h = harness;
    await subscribed(h, 1);
    step(h, 60, 'bybit-candles');
    await waitFor(() => h.candles.length === 60, '60 candles published', SLOW);

    h.sim.controls.injectFrameFault({ kind: 'skip', count: 10 }, 'bybit-candles');
    step(h, 10, 'bybit-candles');
    step(h, 20, 'bybit-candles');
    await waitFor(
      () => h.candles.length === 90,
      'the 10 skipped candles backfilled, then the newer ones',
      SLOW,
    );
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(10);

    expect(h.sim.controls.dropConnections('bybit')).toBe(1);
    await waitFor(
      async () => (await h.metric('ballast_md_ws_reconnects_total', { venue: 'bybit' })) >= 1,
      'a reconnect',
      SLOW,
    );
    await subscribed(h, 2);
    step(h, 30, 'bybit-candles');
    await waitFor(() => h.candles.length === 120, '120 candles published after the reconnect', SLOW);
    await h.service.candlesIdle();

    const source = perpCandles(FROM, 120);
    expect(source).toHaveLength(120);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(h.candles).toEqual(source);
    expect(isContiguous(h.candles, MINUTE)).toBe(true);
    const stored = await h.repo.range({
      exchange: 'bybit',
      symbol: 'BTC-USDT',
      timeframe: '1m',
      fromOpenTime: 0,
      toOpenTime: Number.MAX_SAFE_INTEGER,
    });
    expect(stored).toEqual(source);
    // The 10 skipped candles, and the reconnect's catch-up: by the service's clock (now, past the
    // recorded minutes) bars closed after the last stored one while no stream was open.
    expect(await h.metric('ballast_md_gaps_total', { kind: 'candle' })).toBe(2);
  });

  it('publishes the recorded trades, follows orderbook.50 by u/seq, resyncs after a gap to the exchange book, and resubscribes after a reconnect', {
    timeout: 180_000,
  }, async () => {
    harness = await bybitHarness('md_bybit_book', 'trades,book');
    const h = harness;
    const trades = await publishedTrades(h);
    await subscribed(h, 1);
    step(h, 400, 'bybit');
    await waitFor(() => btcStates(h).includes('live'), 'the first book snapshot', SLOW);
    await expectSameBook(h);

    // One BTCUSDT book update sent twice: the copy is stale by `u`, ignored, and the book holds.
    h.sim.controls.injectFrameFault({ kind: 'duplicate', count: 1, route: 'orderbook.200.BTCUSDT' }, 'bybit');
    step(h, 100, 'bybit');
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'stale_update' })) === 1,
      'the duplicated update dropped as stale',
      SLOW,
    );
    await expectSameBook(h);
    // Resyncing from the connection's open until its book snapshot came, whatever frame came first.
    expect(btcStates(h)).toEqual(['resyncing', 'live']);

    // One BTCUSDT book update lost on the wire: the next one breaks `u`.
    h.sim.controls.injectFrameFault({ kind: 'skip', count: 1, route: 'orderbook.200.BTCUSDT' }, 'bybit');
    step(h, 300, 'bybit');
    await waitFor(() => btcStates(h).length === 4, 'resyncing then live again', SLOW);
    expect(btcStates(h)).toEqual(['resyncing', 'live', 'resyncing', 'live']);
    expect(
      await h.metric('ballast_md_gaps_total', { venue: 'bybit', symbol: 'BTC-USDT', kind: 'depth' }),
    ).toBe(1);
    await expectSameBook(h);
    step(h, 300, 'bybit');
    await expectSameBook(h);

    expect(h.sim.controls.dropConnections('bybit')).toBe(1);
    await waitFor(
      async () => (await h.metric('ballast_md_ws_reconnects_total', { venue: 'bybit' })) >= 1,
      'a reconnect',
      SLOW,
    );
    // A fresh subscription for every topic: acknowledged (after the first subscribe and the resync's
    // unsubscribe + subscribe), a new book snapshot, trades flowing again.
    await subscribed(h, 4);
    // The rest of the recording (2,546 frames).
    step(h, 1_446, 'bybit');
    await expectSameBook(h);
    const expected = recordedBtcTradeIds(2_546);
    expect(expected).toHaveLength(56);
    await waitFor(
      () => trades.length === expected.length,
      `${expected.length} BTCUSDT trades published`,
      SLOW,
    );
    expect(trades.map((t) => t.tradeId)).toEqual(expected);
    expect(trades.every((t) => t.exchange === 'bybit' && t.symbol === 'BTC-USDT')).toBe(true);
    expect(await h.metric('ballast_md_gaps_total', { kind: 'depth' })).toBe(1);
    expect(await h.metric('ballast_md_frames_total', { outcome: 'depth_gap' })).toBe(1);
    // Reconnecting from the moment the connection was lost; the new connection's book, too, was
    // resyncing until its snapshot came.
    expect(btcStates(h).slice(4)).toEqual(['reconnecting', 'resyncing', 'live']);
  });

  it('re-subscribes for a first book snapshot lost on the wire, resyncing (never live) until it comes', {
    timeout: 180_000,
  }, async () => {
    harness = await bybitHarness(
      'md_bybit_first_snapshot',
      'trades,book',
      {},
      { BOOK_SNAPSHOT_TIMEOUT_MS: '1000' },
    );
    const h = harness;
    await subscribed(h, 1);
    // The recording's first BTCUSDT book frame, the subscription's snapshot, never reaches us.
    h.sim.controls.injectFrameFault({ kind: 'skip', count: 1, route: 'orderbook.200.BTCUSDT' }, 'bybit');
    step(h, 400, 'bybit');
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'awaiting_snapshot' })) > 0,
      'book updates without a snapshot',
      SLOW,
    );
    expect(h.service.book('BTC-USDT')).toBeUndefined();
    // After BOOK_SNAPSHOT_TIMEOUT_MS: unsubscribe + subscribe, whose reply carries the current book.
    await subscribed(h, 3);
    await waitFor(() => btcStates(h).includes('live'), 'the re-subscription’s snapshot', SLOW);
    await expectSameBook(h);
    expect(btcStates(h)).toEqual(['resyncing', 'live']);
  });

  it('sends a refused publicTrade subscribe again after a backoff, so trades flow without waiting for a reconnect', {
    timeout: 180_000,
  }, async () => {
    harness = await bybitHarness('md_bybit_refused_subscribe', 'trades');
    const h = harness;
    const trades = await publishedTrades(h);
    await subscribed(h, 1);
    // The next connection's subscribe request is refused (success: false, its req_id echoed).
    h.sim.controls.refuseSubscribes(1, 'publicTrade.');
    expect(h.sim.controls.dropConnections('bybit')).toBe(1);
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'venue_error' })) === 1,
      'the refusal',
      SLOW,
    );
    // Sent again on the same connection (RECONNECT_BASE_MS 50): acknowledged this time.
    await subscribed(h, 2);
    expect(await h.metric('ballast_md_ws_reconnects_total', { venue: 'bybit' })).toBe(1);
    step(h, 400, 'bybit');
    await waitFor(() => trades.length > 0, 'trades published', SLOW);
    expect(trades[0]?.tradeId).toBe(recordedBtcTradeIds(400)[0]);
  });
});
