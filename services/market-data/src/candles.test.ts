import { readDataFile, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_OVERDUE_MS } from './candle-pipeline';
import {
  BTC_1H_FILE,
  type Harness,
  HOUR,
  isContiguous,
  REPLAY_FROM,
  sourceCandles,
  startHarness,
} from './testing/harness';

// Reads binance-spot-ohlcv/BTCUSDT-1h.csv.gz (replayed by the simulator as closed kline frames from
// 2021-01-01 00:00 UTC) and, for the edited bad frames, the closed BTCUSDT kline frames of
// binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz.
const WS_FILE = 'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function candleHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  return startHarness({
    label,
    sim: {
      binance: {
        symbols: ['BTCUSDT'],
        framesFile: null,
        candles: [
          { symbol: 'BTCUSDT', interval: '1h', file: BTC_1H_FILE, replay: true, replayFrom: REPLAY_FROM },
        ],
      },
    },
    env: {
      VENUE: 'binance',
      SYMBOLS: 'BTC/USDT',
      TIMEFRAME: '1h',
      CHANNELS: 'candles',
      // Candle replays are stepped by the test: silence between steps is not a dead connection.
      HEARTBEAT_TIMEOUT_MS: '600000',
      STALE_AFTER_MS: '600000',
      ...env,
    },
  });
}

const series = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' as const };
const gapOf = (kind: string) => ({ venue: 'binance', symbol: 'BTC-USDT', kind });

async function stored(h: Harness) {
  return h.repo.range({ ...series, fromOpenTime: 0, toOpenTime: Number.MAX_SAFE_INTEGER });
}

async function connected(h: Harness): Promise<void> {
  await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
}

const btcStates = (h: Harness) => h.statuses.filter((s) => s.symbol === 'BTC-USDT').map((s) => s.state);

/** The recording's first BTCUSDT kline frame, closed (`"x":true`) or open (`"x":false`), as sent. */
function recordedKline(closed: boolean): string {
  const x = `"x":${closed}`;
  const line = readDataFile(WS_FILE)
    .split('\n')
    .find((l) => l.includes('"e":"kline"') && l.includes('"s":"BTCUSDT"') && l.includes(x));
  if (!line) throw new Error(`no BTCUSDT kline with ${x} in the recording`);
  return line;
}

const recordedClosedKline = () => recordedKline(true);

/** Bars 0–9 replayed and published, then bar 10's closed kline lost on the wire. */
async function tenThenBar10Lost(h: Harness): Promise<void> {
  await connected(h);
  step(h, 10);
  await waitFor(() => h.candles.length === 10, '10 candles published');
  h.sim.controls.injectFrameFault({ kind: 'skip', count: 1 }, 'binance-candles');
  step(h, 1);
}

function step(h: Harness, count: number): void {
  expect(h.sim.controls.step(count, 'binance-candles')).toBe(count);
}

describe('market-data candles against the simulator', () => {
  it('reconnects after the connection is killed mid-stream and stores and publishes every candle once', async () => {
    harness = await candleHarness('md_reconnect');
    const h = harness;
    await connected(h);
    step(h, 100);
    await waitFor(() => h.candles.length === 100, '100 candles published');
    expect(h.sim.controls.dropConnections('binance')).toBe(1);
    // Closed while no stream is open: only REST can bring these back.
    step(h, 50);
    await waitFor(
      async () => (await h.metric('ballast_md_ws_reconnects_total', { venue: 'binance' })) >= 1,
      'a reconnect',
    );
    await connected(h);
    await waitFor(() => h.candles.length === 150, 'the 50 missed candles backfilled after the reconnect');
    step(h, 50);
    await waitFor(() => h.candles.length === 200, '200 candles published', { timeoutMs: 15_000 });

    const source = sourceCandles(REPLAY_FROM, 200);
    expect(source).toHaveLength(200);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(isContiguous(h.candles, HOUR)).toBe(true);
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(50);
    expect(await h.metric('ballast_md_gaps_total', { ...gapOf('candle') })).toBe(1);
  });

  it('backfills a 30-candle gap over REST before publishing the newer candle', async () => {
    harness = await candleHarness('md_gap');
    const h = harness;
    await connected(h);
    step(h, 100);
    await waitFor(() => h.candles.length === 100, '100 candles published');
    h.sim.controls.injectFrameFault({ kind: 'skip', count: 30 }, 'binance-candles');
    step(h, 30);
    step(h, 70);
    await waitFor(() => h.candles.length === 200, '200 candles published', { timeoutMs: 15_000 });

    const source = sourceCandles(REPLAY_FROM, 200);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(isContiguous(h.candles, HOUR)).toBe(true);
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(30);
    expect(await h.metric('ballast_md_gaps_total', { kind: 'candle' })).toBe(1);
    expect(await h.metric('ballast_md_ws_reconnects_total')).toBe(0);
  });

  it('holds newer candles while the gap backfill keeps failing, retries it and then publishes every candle once, in order', {
    timeout: 180_000,
  }, async () => {
    harness = await candleHarness('md_gap_retry', {
      // 40 held at most: 70 newer candles arrive, so the bound is crossed and REST must bring them back.
      BACKFILL_MAX_HELD: '40',
      BACKFILL_RETRY_BASE_MS: '100',
      BACKFILL_RETRY_CAP_MS: '400',
      REST_RETRY_BASE_MS: '10',
    });
    const h = harness;
    await connected(h);
    step(h, 100);
    await waitFor(() => h.candles.length === 100, '100 candles published', { timeoutMs: 30_000 });
    h.sim.controls.failHttp({
      kind: 'server_error',
      count: Number.POSITIVE_INFINITY,
      pathPrefix: '/api/v3/klines',
    });
    h.sim.controls.injectFrameFault({ kind: 'skip', count: 30 }, 'binance-candles');
    step(h, 30);
    step(h, 70);
    await waitFor(
      async () => (await h.metric('ballast_md_backfill_failures_total', { venue: 'binance' })) >= 2,
      'two failed backfills, each after its own request retries',
      { timeoutMs: 30_000 },
    );
    // Held: nothing newer than the gap went out, and downstream sees the symbol not live.
    expect(h.candles).toHaveLength(100);
    await h.service.candlesIdle();
    expect(h.candles).toHaveLength(100);
    expect(btcStates(h)).toEqual(['live', 'backfilling']);
    expect(await h.metric('ballast_md_frames_total', { outcome: 'held_overflow' })).toBe(41);

    h.sim.controls.clearHttpFaults();
    await waitFor(() => h.candles.length === 200, '200 candles published after REST recovers', {
      timeoutMs: 30_000,
    });
    await waitFor(() => btcStates(h).at(-1) === 'live', 'live once the gap is filled', { timeoutMs: 30_000 });
    const source = sourceCandles(REPLAY_FROM, 200);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(btcStates(h)).toEqual(['live', 'backfilling', 'live']);
    // The 30 missing and the 41 let go at the bound came over REST; the 29 still held from the stream.
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(71);
    expect(await h.metric('ballast_md_frames_total', { outcome: 'ok' })).toBe(129);
    expect(await h.metric('ballast_md_gaps_total', { kind: 'candle' })).toBe(1);
  });

  it('counts and drops malformed, invalid, duplicate and out-of-order frames and keeps going', async () => {
    harness = await candleHarness('md_badframes');
    const h = harness;
    await connected(h);
    step(h, 10);
    await waitFor(() => h.candles.length === 10, '10 candles published');

    const closedKline = recordedClosedKline();
    const edit = (f: (k: Record<string, unknown>) => void) => {
      const frame = JSON.parse(closedKline) as { data: { k: Record<string, unknown> } };
      f(frame.data.k);
      return JSON.stringify(frame);
    };
    const bad = [
      closedKline.slice(0, 60),
      edit((k) => {
        k.o = 'NaN';
      }),
      edit((k) => {
        k.l = `-${String(k.l)}`;
      }),
      edit((k) => {
        [k.h, k.l] = [k.l, k.h];
      }),
    ];
    for (const text of bad) expect(h.sim.controls.sendRaw(text, 'binance')).toBe(1);
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'schema_invalid' })) === 3,
      'three invalid frames counted',
    );
    expect(await h.metric('ballast_md_frames_total', { outcome: 'malformed_json' })).toBe(1);

    h.sim.controls.injectFrameFault({ kind: 'duplicate', count: 1 }, 'binance-candles');
    step(h, 1);
    h.sim.controls.injectFrameFault({ kind: 'reorder' }, 'binance-candles');
    step(h, 2);
    step(h, 7);
    await waitFor(() => h.candles.length === 20, '20 candles published');
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'out_of_order' })) === 1,
      'the late frame of the swapped pair dropped',
    );
    expect(await h.metric('ballast_md_frames_total', { outcome: 'duplicate' })).toBe(1);
    expect(await h.metric('ballast_md_frames_total', { outcome: 'ok' })).toBe(19);

    const source = sourceCandles(REPLAY_FROM, 20);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(h.statuses.filter((s) => s.symbol === null).map((s) => s.state)).toEqual(['live']);
  });

  it('backfills a bar whose closed kline never came once the venue streams the next bar past CLOSE_OVERDUE_MS, not a bar later', async () => {
    harness = await candleHarness('md_overdue');
    const h = harness;
    // Bar 10's closed kline is lost on the wire; the venue goes on streaming bar 11 as it forms.
    await tenThenBar10Lost(h);
    const bar11 = REPLAY_FROM + 11 * HOUR;
    // The recorded open BTCUSDT kline, as bar 11 forming at `afterOpenMs` past its open by the venue's clock.
    const openKline = (afterOpenMs: number) => {
      const frame = JSON.parse(recordedKline(false)) as { data: { E: number; k: Record<string, unknown> } };
      Object.assign(frame.data.k, { i: '1h', t: bar11, T: bar11 + HOUR - 1 });
      frame.data.E = bar11 + afterOpenMs;
      return JSON.stringify(frame);
    };
    const openKlines = () => h.metric('ballast_md_frames_total', { outcome: 'candle_not_closed' });

    // Within CLOSE_OVERDUE_MS the closed kline may still come (Binance sends it with the next trade).
    expect(h.sim.controls.sendRaw(openKline(CLOSE_OVERDUE_MS - 1_000), 'binance')).toBe(1);
    await waitFor(async () => (await openKlines()) === 1, 'the early open kline read');
    await h.service.candlesIdle();
    expect(h.candles).toHaveLength(10);

    expect(h.sim.controls.sendRaw(openKline(CLOSE_OVERDUE_MS + 5_000), 'binance')).toBe(1);
    await waitFor(() => h.candles.length === 11, 'bar 10 backfilled while bar 11 is still open');
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(1);
    expect(await h.metric('ballast_md_gaps_total', gapOf('candle'))).toBe(1);
    // Open klines keep coming: nothing more is missing, nothing is fetched again.
    expect(h.sim.controls.sendRaw(openKline(CLOSE_OVERDUE_MS + 7_000), 'binance')).toBe(1);
    await waitFor(async () => (await openKlines()) === 3, 'the next open kline read');
    await h.service.candlesIdle();

    step(h, 9);
    await waitFor(() => h.candles.length === 20, '20 candles published');
    const source = sourceCandles(REPLAY_FROM, 20);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(1);
    expect(await h.metric('ballast_md_gaps_total', gapOf('candle'))).toBe(1);
    expect(btcStates(h)).toEqual(['live', 'backfilling', 'live']);
  });

  it('backfills a bar whose closed kline never came once a trade prints CLOSE_OVERDUE_MS into the next bar', async () => {
    harness = await candleHarness('md_overdue_trade', { CHANNELS: 'candles,trades' });
    const h = harness;
    await tenThenBar10Lost(h);
    // The recording's first BTCUSDT aggTrade, printed in bar 11: its kline stream (open ones too) is silent.
    const trade = readDataFile(WS_FILE)
      .split('\n')
      .find((l) => l.includes('"stream":"btcusdt@aggTrade"'));
    if (!trade) throw new Error('no BTCUSDT aggTrade in the recording');
    const at = REPLAY_FROM + 11 * HOUR + CLOSE_OVERDUE_MS + 5_000;
    const printed = trade.replace(/"E":\d+/, `"E":${at + 1}`).replace(/"T":\d+/, `"T":${at}`);
    expect(h.sim.controls.sendRaw(printed, 'binance')).toBe(1);
    await waitFor(() => h.candles.length === 11, 'bar 10 backfilled while bar 11 is still open');
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(1);
    expect(await h.metric('ballast_md_gaps_total', gapOf('candle'))).toBe(1);
  });

  it('asks REST once per streamed bar for overdue bars it does not have yet, not at every open kline', async () => {
    harness = await candleHarness('md_overdue_once');
    const h = harness;
    await connected(h);
    step(h, 10);
    await waitFor(() => h.candles.length === 10, '10 candles published');
    // Bar 12 forming by the venue's clock while bars 10 and 11 have not been replayed: REST has neither.
    const bar12 = REPLAY_FROM + 12 * HOUR;
    const frame = JSON.parse(recordedKline(false)) as { data: { E: number; k: Record<string, unknown> } };
    Object.assign(frame.data.k, { i: '1h', t: bar12, T: bar12 + HOUR - 1 });
    const openKlines = () => h.metric('ballast_md_frames_total', { outcome: 'candle_not_closed' });
    for (const [i, afterOpenMs] of [CLOSE_OVERDUE_MS + 1_000, CLOSE_OVERDUE_MS + 3_000].entries()) {
      frame.data.E = bar12 + afterOpenMs;
      expect(h.sim.controls.sendRaw(JSON.stringify(frame), 'binance')).toBe(1);
      await waitFor(async () => (await openKlines()) === i + 1, `open kline ${i + 1} read`);
      await h.service.candlesIdle();
    }
    expect(await h.metric('ballast_md_gaps_total', gapOf('candle'))).toBe(1);
    expect(h.candles).toHaveLength(10);

    // The stream brings them after all: published in order, once.
    step(h, 10);
    await waitFor(() => h.candles.length === 20, '20 candles published');
    expect(h.candles.map((c) => c.openTime)).toEqual(sourceCandles(REPLAY_FROM, 20).map((c) => c.openTime));
    expect(await h.metric('ballast_md_backfilled_candles_total')).toBe(0);
  });

  it('drops a closed candle stamped in microseconds (a close far past our clock) and keeps publishing the series', async () => {
    harness = await candleHarness('md_future');
    const h = harness;
    await connected(h);
    step(h, 10);
    await waitFor(() => h.candles.length === 10, '10 candles published');

    // The recorded closed BTCUSDT kline, as the next 1h bar but with its times in microseconds (Binance's
    // `timeUnit=MICROSECOND`): aligned to the hour, so only its distance from our clock gives it away.
    const closedKline = recordedClosedKline();
    const frame = JSON.parse(closedKline) as { data: { E: number; k: Record<string, unknown> } };
    const next = REPLAY_FROM + 10 * HOUR;
    Object.assign(frame.data.k, { i: '1h', t: next * 1000, T: (next + HOUR) * 1000 - 1 });
    frame.data.E = (next + HOUR) * 1000;
    expect(h.sim.controls.sendRaw(JSON.stringify(frame), 'binance')).toBe(1);
    step(h, 10);
    await waitFor(() => h.candles.length === 20, '20 candles published');
    expect(await h.metric('ballast_md_frames_total', { outcome: 'from_future' })).toBe(1);
    const source = sourceCandles(REPLAY_FROM, 20);
    expect(await stored(h)).toEqual(source);
    expect(h.candles.map((c) => c.openTime)).toEqual(source.map((c) => c.openTime));
    expect(btcStates(h)).toEqual(['live']);
  });
});
