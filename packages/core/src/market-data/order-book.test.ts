import { describe, expect, it } from 'vitest';
import { OrderBook } from './order-book';

// Levels from the first BTCUSDT frames of binance-spot-ws/2021-04-04_*.frames.jsonl.gz and its REST snapshot.
const bids: Array<[number, number]> = [
  [58001.03, 1.601074],
  [58001.01, 0.001074],
  [58000.27, 0.028792],
  [58000, 0.470385],
];
const asks: Array<[number, number]> = [
  [58001.04, 1.827473],
  [58004.92, 0.05],
  [58042.29, 0.097],
];

describe('OrderBook', () => {
  it('loads a snapshot and sorts each side best first', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, asks);
    expect(book.bestBid()).toEqual([58001.03, 1.601074]);
    expect(book.bestAsk()).toEqual([58001.04, 1.827473]);
    expect(book.top(2)).toEqual({ bids: bids.slice(0, 2), asks: asks.slice(0, 2) });
    expect(book.levels().asks).toEqual(asks);
  });

  it('removes a level on size 0 and finds the next best price', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, asks);
    book.applyDelta(
      [[58001.03, 0]],
      [
        [58001.04, 0],
        [58055.02, 0.75],
      ],
    );
    expect(book.bestBid()).toEqual([58001.01, 0.001074]);
    expect(book.bestAsk()).toEqual([58004.92, 0.05]);
    expect(book.bidCount).toBe(3);
    expect(book.askCount).toBe(3);
  });

  it('replaces the whole book on a new snapshot', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, asks);
    book.applySnapshot([[58000, 1]], [[58002, 2]]);
    expect(book.levels()).toEqual({ bids: [[58000, 1]], asks: [[58002, 2]] });
  });

  it('ignores removal of a level it does not hold', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, asks);
    book.applyDelta([[57990.76, 0]], []);
    expect(book.levels().bids).toEqual(bids);
  });

  it('sums size and notional within a band of basis points around the mid', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, asks);
    // mid 58001.035; 1 bp ≈ 5.8: bids ≥ 57995.235 (all four), asks ≤ 58006.835 (first two).
    const bidDepth = book.depthWithinBps('bids', 1);
    expect(bidDepth.size).toBeCloseTo(1.601074 + 0.001074 + 0.028792 + 0.470385, 9);
    const askDepth = book.depthWithinBps('asks', 1);
    expect(askDepth.size).toBeCloseTo(1.877473, 9);
    expect(askDepth.notional).toBeCloseTo(58001.04 * 1.827473 + 58004.92 * 0.05, 6);
  });

  it('reports no depth and no mid for a one-sided book', () => {
    const book = new OrderBook();
    book.applySnapshot(bids, []);
    expect(book.mid()).toBeUndefined();
    expect(book.depthWithinBps('bids', 10)).toEqual({ size: 0, notional: 0 });
  });
});
