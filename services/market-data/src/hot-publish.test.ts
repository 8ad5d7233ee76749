import { type BookUpdate, type Envelope, pattern, Subjects, type Trade } from '@ballast/contracts';
import { parseBinanceFrameGenerically, SymbolCache } from '@ballast/exchange';
import { readDataFile, uniqueName, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness';

// The simulator replays binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz
// (BTCUSDT only); the same file, read here through the generic JSON.parse path, is the reference.
const WS_FILE = 'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const STEPS = 400;

/** The BTCUSDT frames among the first recorded ones (the simulator steps through all of them): depth and trade payloads, as the generic (slow) path maps them. */
function reference(frames: number): { trades: Trade[]; books: Map<number, BookUpdate> } {
  const trades: Trade[] = [];
  const books = new Map<number, BookUpdate>();
  const replayed = readDataFile(WS_FILE)
    .split('\n')
    .filter((raw) => raw.length > 0)
    .slice(0, frames);
  for (const raw of replayed.filter((f) => f.includes('"s":"BTCUSDT"'))) {
    for (const r of parseBinanceFrameGenerically(raw, new SymbolCache())) {
      if (r.kind === 'trade') trades.push(r.payload);
      if (r.kind === 'book') books.set(r.payload.lastUpdateId, r.payload);
    }
  }
  return { trades, books };
}

function btcHarness(label: string): Promise<Harness> {
  return startHarness({
    label,
    sim: { binance: { symbols: ['BTCUSDT'] } },
    env: {
      VENUE: 'binance',
      SYMBOLS: 'BTC/USDT',
      TIMEFRAME: '1m',
      CHANNELS: 'book,trades',
      PUBLISH_BOOK: 'true',
      HEARTBEAT_TIMEOUT_MS: '600000',
      STALE_AFTER_MS: '600000',
      DEPTH_SNAPSHOT_LIMIT: '5000',
    },
  });
}

/** The first recorded BTCUSDT frame containing `needle`. */
function recordedFrame(needle: string): string {
  return readDataFile(WS_FILE)
    .split('\n')
    .find((raw) => raw.includes('"s":"BTCUSDT"') && raw.includes(needle)) as string;
}

describe('market-data publishes hot Binance payloads over NATS', () => {
  it('sends trades and book deltas that consumers decode with the contract schemas, equal to the slow path', {
    timeout: 120_000,
  }, async () => {
    harness = await btcHarness('md_hot');
    const h = harness;
    const trades: Trade[] = [];
    const deltas: BookUpdate[] = [];
    // Consumers validate every message with zod before the handler; a bad one would go to the DLQ.
    await h.bus.subscribe(pattern(Subjects.trade), (m: Envelope<Trade>) => void trades.push(m.payload), {
      durable: uniqueName('trades'),
      deliverFrom: 'all',
    });
    await h.bus.subscribe(
      pattern(Subjects.book),
      (m: Envelope<BookUpdate>) => void (m.payload.kind === 'delta' && deltas.push(m.payload)),
      { durable: uniqueName('books'), deliverFrom: 'all' },
    );
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    // The first frames only start the book (buffered until the snapshot); the rest are published.
    expect(h.sim.controls.step(STEPS)).toBe(STEPS);
    await waitFor(
      () => h.statuses.some((st) => st.symbol === 'BTC-USDT' && st.state === 'live'),
      'depth sync',
    );
    expect(h.sim.controls.step(STEPS)).toBe(STEPS);
    const ref = reference(2 * STEPS);
    const lastDepth = Math.max(...ref.books.keys());
    await waitFor(
      () => trades.length === ref.trades.length && deltas.at(-1)?.lastUpdateId === lastDepth,
      `${ref.trades.length} trades and the book up to ${lastDepth}`,
      { timeoutMs: 30_000 },
    );
    expect(deltas.length).toBeGreaterThan(50);
    // None lost in between: each delta starts right after the previous one (Binance U = previous u + 1).
    expect(
      deltas.every((d, i) => i === 0 || d.firstUpdateId === (deltas[i - 1] as BookUpdate).lastUpdateId + 1),
    ).toBe(true);
    expect(trades).toEqual(ref.trades);
    for (const delta of deltas) expect(delta).toEqual(ref.books.get(delta.lastUpdateId));
    expect(await h.metric('ballast_md_frames_total', { outcome: 'schema_invalid' })).toBe(0);
  });

  it('drops trades and book updates stamped in microseconds, counted from_future, and keeps the feed lag positive', {
    timeout: 120_000,
  }, async () => {
    harness = await btcHarness('md_hot_future');
    const h = harness;
    const trades: Trade[] = [];
    await h.bus.subscribe(pattern(Subjects.trade), (m: Envelope<Trade>) => void trades.push(m.payload), {
      durable: uniqueName('trades'),
      deliverFrom: 'all',
    });
    await waitFor(() => h.sim.controls.state().connections.binance === 1, 'the service to connect');
    const trade = recordedFrame('"e":"aggTrade"');
    const depth = recordedFrame('"e":"depthUpdate"');
    // Edited copies with every time in microseconds, as Binance sends them with timeUnit=MICROSECOND.
    const inMicros = (raw: string) => raw.replace(/"([ET])":(\d{13})\b/g, '"$1":$2000');
    expect(inMicros(trade)).not.toBe(trade);
    expect(inMicros(depth)).not.toBe(depth);
    expect(h.sim.controls.sendRaw(trade, 'binance')).toBe(1);
    await waitFor(() => trades.length === 1, 'the real trade published');
    expect(h.sim.controls.sendRaw(inMicros(trade), 'binance')).toBe(1);
    expect(h.sim.controls.sendRaw(inMicros(depth), 'binance')).toBe(1);
    await waitFor(
      async () => (await h.metric('ballast_md_frames_total', { outcome: 'from_future' })) === 2,
      'the trade and the book update dropped as from_future',
    );
    expect(trades).toHaveLength(1);
    // Measured from the real trade (2021): years, not a negative lag the alert could never see.
    expect(await h.metric('ballast_md_feed_lag_seconds', { venue: 'binance' })).toBeGreaterThan(86_400);
  });
});
