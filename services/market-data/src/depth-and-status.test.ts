import { waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness';

// Reads the simulator's default Binance recording:
// binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz with its
// REST depth snapshot binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json.

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function recordedHarness(
  label: string,
  env: Record<string, string>,
  symbols = ['BTCUSDT'],
): Promise<Harness> {
  return startHarness({
    label,
    sim: { binance: { symbols } },
    env: {
      VENUE: 'binance',
      SYMBOLS: symbols.map((s) => s.replace(/USDT$/, '/USDT')).join(','),
      TIMEFRAME: '1m',
      HEARTBEAT_TIMEOUT_MS: '600000',
      ...env,
    },
  });
}

type WireLevel = [string, string];
interface SimDepth {
  lastUpdateId: number;
  bids: WireLevel[];
  asks: WireLevel[];
}

async function simDepth(h: Harness): Promise<SimDepth> {
  const res = await fetch(`${h.sim.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=5000`);
  return (await res.json()) as SimDepth;
}

const numeric = (levels: WireLevel[]) => levels.map(([p, s]) => [Number(p), Number(s)]);
const btcStates = (h: Harness) => h.statuses.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state);

describe('market-data depth and feed status against the simulator', () => {
  it('resyncs after a depth sequence gap and then holds the same book as the exchange, level for level', async () => {
    harness = await recordedHarness('md_depth', {
      CHANNELS: 'book',
      STALE_AFTER_MS: '600000',
      DEPTH_SNAPSHOT_LIMIT: '5000',
    });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    h.sim.controls.step(300);
    await waitFor(() => btcStates(h).includes('live'), 'the first sync');
    h.sim.controls.injectFrameFault({ kind: 'skip', count: 1, route: 'btcusdt@depth@100ms' });
    h.sim.controls.step(300);
    await waitFor(() => btcStates(h).length === 4, 'resyncing then live again');
    expect(btcStates(h)).toEqual(['resyncing', 'live', 'resyncing', 'live']);
    expect(
      await h.metric('ballast_md_gaps_total', { venue: 'binance', symbol: 'BTC-USDT', kind: 'depth' }),
    ).toBe(1);

    const exchange = await simDepth(h);
    const ours = await waitFor(() => {
      const book = h.service.book('BTC-USDT');
      return book?.lastUpdateId === exchange.lastUpdateId ? book : undefined;
    }, 'our book at the exchange book update id');
    expect(ours.bids.length).toBeGreaterThan(900);
    expect(ours.bids).toEqual(numeric(exchange.bids));
    expect(ours.asks).toEqual(numeric(exchange.asks));
  });

  it('waits out an IP ban (HTTP 418) for its Retry-After before asking for the depth snapshot again', async () => {
    harness = await recordedHarness('md_ban', { CHANNELS: 'book', STALE_AFTER_MS: '600000' });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    h.sim.controls.failHttp({
      kind: 'rate_limit',
      status: 418,
      retryAfterSeconds: 2,
      count: 1,
      pathPrefix: '/api/v3/depth',
    });
    const bannedFrom = performance.now();
    h.sim.controls.step(300);
    await waitFor(() => h.sim.controls.state().httpFaults.length === 0, 'the banned snapshot request');
    // Diffs keep coming during the ban: none of them may send a snapshot request early.
    h.sim.controls.step(100);
    await waitFor(() => btcStates(h).includes('live'), 'synced once the ban lifted', { timeoutMs: 10_000 });
    expect(performance.now() - bannedFrom).toBeGreaterThanOrEqual(2_000);
    expect(btcStates(h)).toEqual(['resyncing', 'live']);
    expect(await h.metric('ballast_md_depth_snapshot_failures_total', { reason: 'banned' })).toBe(1);
  });

  it('holds every symbol’s depth snapshot through an IP ban (HTTP 418) answered to one of them', async () => {
    // One request a second: the second symbol's snapshot request queues behind the banned one.
    harness = await recordedHarness(
      'md_ban_venue',
      { CHANNELS: 'book', STALE_AFTER_MS: '600000', REST_MIN_INTERVAL_MS: '1000' },
      ['BTCUSDT', 'ETHUSDT'],
    );
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    h.sim.controls.failHttp({
      kind: 'rate_limit',
      status: 418,
      retryAfterSeconds: 3,
      count: 1,
      pathPrefix: '/api/v3/depth',
    });
    const bannedFrom = performance.now();
    h.sim.controls.step(300);
    await waitFor(() => h.sim.controls.state().httpFaults.length === 0, 'the banned snapshot request');
    // The simulator has answered 418; the hold starts once the service has read that answer.
    const blocked = await waitFor(async () => {
      const seconds = await h.metric('ballast_md_rest_blocked_seconds', { venue: 'binance' });
      return seconds > 0 ? seconds : undefined;
    }, 'the venue hold shown on the gauge');
    expect(blocked).toBeLessThanOrEqual(3);
    const liveAt: Record<string, number> = {};
    await waitFor(
      () => {
        h.sim.controls.step(10);
        for (const s of h.statuses)
          if (s.symbol !== null && s.state === 'live') liveAt[s.symbol] ??= performance.now() - bannedFrom;
        return Object.keys(liveAt).length === 2;
      },
      'both books synced once the ban lifted',
      { timeoutMs: 15_000 },
    );
    // Neither book could sync before the ban lifted: no snapshot request went out meanwhile.
    expect(liveAt['BTC-USDT']).toBeGreaterThanOrEqual(3_000);
    expect(liveAt['ETH-USDT']).toBeGreaterThanOrEqual(3_000);
    expect(await h.metric('ballast_md_depth_snapshot_failures_total', { reason: 'banned' })).toBe(1);
    expect(await h.metric('ballast_md_rest_blocked_seconds', { venue: 'binance' })).toBe(0);
  });

  it('asks for the depth snapshot at once on a new connection, not after the backoff of earlier failures', async () => {
    // A 20 s backoff after one failed snapshot: only the reconnect can explain a sync within seconds.
    harness = await recordedHarness('md_reset', {
      CHANNELS: 'book',
      STALE_AFTER_MS: '600000',
      SNAPSHOT_RETRY_BASE_MS: '20000',
    });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    // Every depth request fails until the first snapshot attempt (the REST client's own tries) gave up.
    h.sim.controls.failHttp({ kind: 'server_error', count: 1_000, pathPrefix: '/api/v3/depth' });
    h.sim.controls.step(300);
    const failed = async () => (await h.metric('ballast_md_depth_snapshot_failures_total', {})) >= 1;
    await waitFor(failed, 'a failed snapshot attempt', { timeoutMs: 30_000 });
    h.sim.controls.clearHttpFaults();
    expect(h.sim.controls.dropConnections('binance')).toBe(1);
    const reconnectedFrom = performance.now();
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to reconnect');
    h.sim.controls.step(300);
    await waitFor(() => btcStates(h).includes('live'), 'synced on the new connection', { timeoutMs: 10_000 });
    expect(performance.now() - reconnectedFrom).toBeLessThan(15_000);
  });

  it('reports a book resyncing from the moment its connection is back, not live until its first diff', async () => {
    harness = await recordedHarness('md_reconnect_book', { CHANNELS: 'book', STALE_AFTER_MS: '600000' });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    h.sim.controls.step(300);
    await waitFor(() => btcStates(h).includes('live'), 'the first sync');
    expect(h.sim.controls.dropConnections('binance')).toBe(1);
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to reconnect');
    // No frame yet on the new connection: the book is empty, so nothing may call the symbol live.
    await waitFor(() => btcStates(h).length >= 4, 'the states of the reconnect');
    expect(btcStates(h)).toEqual(['resyncing', 'live', 'reconnecting', 'resyncing']);
    h.sim.controls.step(300);
    await waitFor(() => btcStates(h).length === 5, 'synced on the new connection');
    expect(btcStates(h).at(-1)).toBe('live');
    expect(h.service.book('BTC-USDT')).toBeDefined();
  });

  it('counts open klines as updates: with candles alone subscribed a symbol is live between closes', async () => {
    // With CHANNELS=candles the closed kline is the only payload (one per bar, hourly on 1h); the open
    // ones Binance sends every 2 s are the proof the symbol's stream is alive.
    harness = await recordedHarness('md_open_klines', { CHANNELS: 'candles' });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    // The first 2,000 recorded frames hold 17 open BTCUSDT 1m klines and no closed one (that is #2,588).
    h.sim.controls.step(2_000);
    const open = () => h.metric('ballast_md_frames_total', { outcome: 'candle_not_closed' });
    await waitFor(async () => (await open()) === 17, 'the 17 open klines read');
    // Statuses reach the test over NATS: wait for the first (none came before the fix).
    await waitFor(() => btcStates(h).length > 0, 'a BTC-USDT status', { timeoutMs: 5_000 });
    expect(btcStates(h)).toEqual(['live']);
    expect(h.candles).toEqual([]);
    // Measured from the last open kline's event time (E 1617566626362), not left unset.
    const before = Date.now();
    const lagMs = 1000 * (await h.metric('ballast_md_feed_lag_seconds', { venue: 'binance' }));
    expect(lagMs).toBeGreaterThanOrEqual(before - 1617566626362 - 1);
    expect(lagMs).toBeLessThanOrEqual(Date.now() - 1617566626362 + 1);
  });

  it('reports a stalled symbol stale within the configured time and live when updates resume', async () => {
    harness = await recordedHarness('md_stale', { CHANNELS: 'trades', STALE_AFTER_MS: '400' });
    const h = harness;
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    h.sim.controls.step(100);
    await waitFor(() => btcStates(h).includes('live'), 'live on the first trade');
    h.sim.controls.stall('binance');
    h.sim.controls.step(100);
    const stalledAt = performance.now();
    await waitFor(() => btcStates(h).at(-1) === 'stale', 'stale while stalled', { timeoutMs: 2_000 });
    expect(performance.now() - stalledAt).toBeLessThan(1_000);
    const lag = () => h.metric('ballast_md_feed_lag_seconds', { venue: 'binance' });
    const stalledLag = await lag();
    await waitFor(
      async () => (await lag()) >= stalledLag + 0.2,
      'the feed lag growing while nothing arrives',
    );
    h.sim.controls.resume('binance');
    h.sim.controls.step(100);
    await waitFor(() => btcStates(h).at(-1) === 'live', 'live again after resume', { timeoutMs: 2_000 });
    expect(btcStates(h).slice(-2)).toEqual(['stale', 'live']);
    expect(await h.metric('ballast_md_frames_total', { outcome: 'ok' })).toBeGreaterThan(0);
  });
});
