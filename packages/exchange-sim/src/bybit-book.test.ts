import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { BybitBooks } from './bybit-book';
import { parseBybitFrames } from './recorded-frame';

// Reads bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-…frames.jsonl (orderbook.200).
const FILE =
  'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl';

type Level = [string, string];
interface View {
  type: 'snapshot' | 'delta';
  data: { b: Level[]; a: Level[]; u: number; seq: number };
}

/** A client's book built only from the derived frames. */
function applyView(book: { b: Map<string, string>; a: Map<string, string> }, view: View): void {
  if (view.type === 'snapshot') {
    book.b.clear();
    book.a.clear();
  }
  for (const [side, levels] of [
    ['b', view.data.b],
    ['a', view.data.a],
  ] as const)
    for (const [p, q] of levels) {
      if (Number(q) === 0) book[side].delete(p);
      else book[side].set(p, q);
    }
}

const sorted = (side: Map<string, string>, dir: 1 | -1) =>
  [...side.entries()].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));

describe('BybitBooks', () => {
  it('derives orderbook.50 frames that keep a client book equal to the top 50 of the recorded book, u by u', () => {
    const books = new BybitBooks();
    const client = { b: new Map<string, string>(), a: new Map<string, string>() };
    let lastU: number | undefined;
    let applied = 0;
    expect(books.snapshotFrame('orderbook.50.BTCUSDT')).toBeUndefined();
    for (const frame of parseBybitFrames(readDataFile(FILE))) {
      books.onSource(frame);
      for (const derived of books.derivedOf(frame)) {
        if (derived.route !== 'orderbook.50.BTCUSDT') continue;
        const view = JSON.parse(derived.raw) as View;
        if (view.type === 'delta') expect(view.data.u).toBe((lastU as number) + 1);
        lastU = view.data.u;
        applyView(client, view);
        const exchange = books.restView('BTCUSDT', 50);
        expect(sorted(client.b, -1)).toEqual(exchange?.b);
        expect(sorted(client.a, 1)).toEqual(exchange?.a);
        applied++;
      }
    }
    expect(applied).toBe(414);
    expect(client.b.size).toBe(50);
    const snapshot = JSON.parse(books.snapshotFrame('orderbook.50.BTCUSDT') as string) as View;
    expect(snapshot.data.u).toBe(lastU);
    expect(snapshot.data.b).toEqual(sorted(client.b, -1));
    // Deeper than the recording: Bybit would have more levels than we know, so no snapshot is made up.
    expect(books.snapshotFrame('orderbook.500.BTCUSDT')).toBeUndefined();
  });
});
