/** One price level: [price, size]. Same shape as the contracts' `BookLevel`. */
export type PriceLevel = readonly [price: number, size: number];

export interface BookSides {
  bids: PriceLevel[];
  asks: PriceLevel[];
}

/** Resting size and its quote value on one side within a band around the mid price. */
export interface SideDepth {
  size: number;
  notional: number;
}

/**
 * An L2 book as two price → size maps. Updates are O(1); the best price is cached and only
 * rescanned when the best level itself is removed, so the ingest path stays cheap.
 */
export class OrderBook {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private bestBidPrice: number | undefined;
  private bestAskPrice: number | undefined;

  /** Replaces the whole book. Levels with size 0 are ignored. */
  applySnapshot(bids: readonly PriceLevel[], asks: readonly PriceLevel[]): void {
    this.clear();
    this.applyDelta(bids, asks);
  }

  /** Sets each level; size 0 removes it. */
  applyDelta(bids: readonly PriceLevel[], asks: readonly PriceLevel[]): void {
    for (const [price, size] of bids) this.setBid(price, size);
    for (const [price, size] of asks) this.setAsk(price, size);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.bestBidPrice = undefined;
    this.bestAskPrice = undefined;
  }

  get bidCount(): number {
    return this.bids.size;
  }

  get askCount(): number {
    return this.asks.size;
  }

  bestBid(): PriceLevel | undefined {
    const price = this.bestBidPrice;
    return price === undefined ? undefined : [price, this.bids.get(price) ?? 0];
  }

  bestAsk(): PriceLevel | undefined {
    const price = this.bestAskPrice;
    return price === undefined ? undefined : [price, this.asks.get(price) ?? 0];
  }

  /** Mid price, or undefined when either side is empty. */
  mid(): number | undefined {
    if (this.bestBidPrice === undefined || this.bestAskPrice === undefined) return undefined;
    return (this.bestBidPrice + this.bestAskPrice) / 2;
  }

  /** The best `n` levels a side: bids high → low, asks low → high. */
  top(n: number): BookSides {
    return {
      bids: sortedLevels(this.bids, 'desc').slice(0, n),
      asks: sortedLevels(this.asks, 'asc').slice(0, n),
    };
  }

  /** Every level, sorted as in `top`; for comparing two books. */
  levels(): BookSides {
    return { bids: sortedLevels(this.bids, 'desc'), asks: sortedLevels(this.asks, 'asc') };
  }

  /**
   * Size and notional resting within `bps` basis points of the mid: what an order could take
   * without moving the price further than that (used for liquidity caps).
   */
  depthWithinBps(side: 'bids' | 'asks', bps: number): SideDepth {
    const mid = this.mid();
    if (mid === undefined) return { size: 0, notional: 0 };
    const band = (mid * bps) / 10_000;
    const inBand = side === 'bids' ? (p: number) => p >= mid - band : (p: number) => p <= mid + band;
    let size = 0;
    let notional = 0;
    for (const [price, qty] of side === 'bids' ? this.bids : this.asks) {
      if (!inBand(price)) continue;
      size += qty;
      notional += price * qty;
    }
    return { size, notional };
  }

  private setBid(price: number, size: number): void {
    if (size === 0) {
      if (this.bids.delete(price) && price === this.bestBidPrice)
        this.bestBidPrice = extreme(this.bids, 'max');
      return;
    }
    this.bids.set(price, size);
    if (this.bestBidPrice === undefined || price > this.bestBidPrice) this.bestBidPrice = price;
  }

  private setAsk(price: number, size: number): void {
    if (size === 0) {
      if (this.asks.delete(price) && price === this.bestAskPrice)
        this.bestAskPrice = extreme(this.asks, 'min');
      return;
    }
    this.asks.set(price, size);
    if (this.bestAskPrice === undefined || price < this.bestAskPrice) this.bestAskPrice = price;
  }
}

function extreme(side: Map<number, number>, which: 'min' | 'max'): number | undefined {
  let best: number | undefined;
  for (const price of side.keys()) {
    if (best === undefined || (which === 'max' ? price > best : price < best)) best = price;
  }
  return best;
}

function sortedLevels(side: Map<number, number>, order: 'asc' | 'desc'): PriceLevel[] {
  const out: PriceLevel[] = Array.from(side.entries());
  out.sort(order === 'asc' ? (a, b) => a[0] - b[0] : (a, b) => b[0] - a[0]);
  return out;
}
