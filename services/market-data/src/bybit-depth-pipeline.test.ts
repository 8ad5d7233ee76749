import type { BookUpdate } from '@ballast/contracts';
import { bybitLinearFeed } from '@ballast/exchange';
import { readDataFile } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BookPublisher } from './book-publisher';
import { BybitDepthPipeline } from './bybit-depth-pipeline';
import { MarketDataMetrics } from './metrics';

// Reads bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl: one snapshot and 49 deltas.
const feed = bybitLinearFeed();
const lines = readDataFile('bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl')
  .split('\n')
  .filter((line) => line.length > 0);
const frames = lines
  .flatMap((raw) => feed.parseFrame(raw))
  .flatMap((r) => (r.kind === 'book' ? [{ update: r.payload, sequence: r.sequence }] : []));
const [snapshot, ...deltas] = frames as [(typeof frames)[0], ...typeof frames];

const TIMEOUT_MS = 5_000;

function pipeline() {
  const resubscribed: string[] = [];
  const states: string[] = [];
  const depth = new BybitDepthPipeline({
    venue: 'bybit',
    books: { publish: (_u: BookUpdate) => {} } as unknown as BookPublisher,
    metrics: new MarketDataMetrics(new Registry(), { now: () => 0 }),
    log: { info() {}, warn() {}, error() {} },
    status: (_symbol, state) => void states.push(state),
    resubscribe: (symbol) => void resubscribed.push(symbol),
    snapshotTimeoutMs: TIMEOUT_MS,
    symbols: ['XRP-USDT'],
  });
  const feedFrames = (list: typeof frames) => list.map((f) => depth.onUpdate(f.update, f.sequence));
  return { depth, resubscribed, states, feedFrames };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BybitDepthPipeline', () => {
  it('re-subscribes again when the snapshot a gap’s re-subscription asked for never comes', () => {
    const { depth, resubscribed, states, feedFrames } = pipeline();
    expect(snapshot.update.kind).toBe('snapshot');
    // Delta 10 lost on the wire: delta 11 breaks `u`; the rest wait for a snapshot that does not come.
    expect(feedFrames([snapshot, ...deltas.slice(0, 10)]).every((o) => o === 'ok')).toBe(true);
    expect(feedFrames(deltas.slice(11))).toEqual([
      'depth_gap',
      ...Array(deltas.length - 12).fill('awaiting_snapshot'),
    ]);
    expect(resubscribed).toEqual(['XRP-USDT']);

    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(resubscribed).toEqual(['XRP-USDT']);
    vi.advanceTimersByTime(1);
    expect(resubscribed).toEqual(['XRP-USDT', 'XRP-USDT']);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT', 'XRP-USDT', 'XRP-USDT']);

    // The snapshot comes at last: the book is live and nothing more is re-subscribed.
    expect(feedFrames([snapshot])).toEqual(['ok']);
    expect(depth.book('XRP-USDT')?.lastUpdateId).toBe(snapshot.update.lastUpdateId);
    expect(states).toEqual(['live', 'resyncing', 'live']);
    vi.advanceTimersByTime(10 * TIMEOUT_MS);
    expect(resubscribed).toHaveLength(3);
  });

  it('drops a gap’s pending re-subscription on a new connection, which subscribes every book anew', () => {
    const { depth, resubscribed, states, feedFrames } = pipeline();
    feedFrames([snapshot, ...deltas.slice(0, 10), deltas[11] as (typeof frames)[0]]);
    expect(resubscribed).toEqual(['XRP-USDT']);
    depth.reset();
    expect(feedFrames([snapshot])).toEqual(['ok']);
    vi.advanceTimersByTime(10 * TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT']);
    expect(states).toEqual(['live', 'resyncing', 'resyncing', 'live']);
  });

  it('holds a book whose first snapshot on a connection was dropped as invalid resyncing, and asks for it again', () => {
    const { depth, resubscribed, states, feedFrames } = pipeline();
    // One bid price of the recorded snapshot made unreadable: the frame is refused, the deltas follow.
    const broken = (lines[0] as string).replace(/"b":\[\["[0-9.]+"/, '"b":[["NaN"');
    expect(feed.parseFrame(broken)).toMatchObject([{ kind: 'rejected', rejected: 'schema_invalid' }]);
    depth.reset();
    expect(states).toEqual(['resyncing']);
    expect(new Set(feedFrames(deltas))).toEqual(new Set(['awaiting_snapshot']));
    expect(depth.book('XRP-USDT')).toBeUndefined();

    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(resubscribed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(resubscribed).toEqual(['XRP-USDT']);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT', 'XRP-USDT']);

    expect(feedFrames([snapshot, ...deltas])).toEqual(Array(frames.length).fill('ok'));
    expect(depth.book('XRP-USDT')?.lastUpdateId).toBe(deltas.at(-1)?.update.lastUpdateId);
    expect(states).toEqual(['resyncing', 'live']);
    vi.advanceTimersByTime(10 * TIMEOUT_MS);
    expect(resubscribed).toHaveLength(2);
  });

  it('asks again for a snapshot when the subscription brings no book frame at all (a refused subscribe)', () => {
    const { depth, resubscribed, states } = pipeline();
    depth.reset();
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT']);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT', 'XRP-USDT']);
    expect(states).toEqual(['resyncing']);
  });

  it('re-subscribes at once, resyncing, for a delta without a snapshot while none is asked for', () => {
    const { depth, resubscribed, states, feedFrames } = pipeline();
    expect(new Set(feedFrames(deltas))).toEqual(new Set(['awaiting_snapshot']));
    expect(resubscribed).toEqual(['XRP-USDT']);
    expect(states).toEqual(['resyncing']);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(resubscribed).toEqual(['XRP-USDT', 'XRP-USDT']);
    expect(feedFrames([snapshot])).toEqual(['ok']);
    expect(depth.book('XRP-USDT')).toBeDefined();
    expect(states).toEqual(['resyncing', 'live']);
  });
});
