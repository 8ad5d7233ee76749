import type { CandleRow, CandleSeries } from './candle-series';
import { toUnits, type Units } from './decimal';
import type { LiquiditySource } from './matching-engine';
import { type DepthDiff, type DepthSnapshot, SimBook } from './order-book';
import type { RecordedFrame } from './recorded-frame';

interface LoadedSeries {
  series: CandleSeries;
  /** Rows visible to REST: all of them, or during a candle replay only those already replayed. */
  visible: number;
}

/** Market state derived from replayed frames: books, last trade prices, candle series. */
export class BinanceMarket implements LiquiditySource {
  private readonly books = new Map<string, SimBook>();
  private readonly last = new Map<string, Units>();
  private readonly series = new Map<string, LoadedSeries>();

  constructor(private readonly snapshots: ReadonlyMap<string, DepthSnapshot>) {
    this.resetBooks();
  }

  /** Back to the recorded snapshots (on start and when a looping feed rewinds). */
  resetBooks(): void {
    for (const [symbol, snap] of this.snapshots) this.books.set(symbol, new SimBook(snap));
  }

  addSeries(series: CandleSeries, visible: number): void {
    this.series.set(key(series.symbol, series.interval), { series, visible });
  }

  book(symbol: string): SimBook | undefined {
    return this.books.get(symbol);
  }

  candles(symbol: string, interval: string): CandleRow[] | undefined {
    const s = this.series.get(key(symbol, interval));
    return s?.series.rows.slice(0, s.visible);
  }

  hasSeriesFor(symbol: string): boolean {
    return [...this.series.values()].some((s) => s.series.symbol === symbol);
  }

  levels(symbol: string, side: 'asks' | 'bids') {
    return this.books.get(symbol)?.levels(side);
  }

  lastPrice(symbol: string): Units | undefined {
    return this.last.get(symbol);
  }

  /** Applies a recorded combined-stream frame; returns the trade (price and size) it carried, if any. */
  applyFrame(frame: RecordedFrame): { symbol: string; price: Units; qty: Units } | undefined {
    const data = frame.data as {
      e?: string;
      s?: string;
      p?: string;
      q?: string;
      k?: { c?: string };
    } & DepthDiff;
    if (typeof data?.s !== 'string') return undefined;
    if (data.e === 'depthUpdate') this.books.get(data.s)?.apply(data);
    if (data.e === 'aggTrade' || data.e === 'trade') {
      const price = toUnits(String(data.p));
      this.last.set(data.s, price);
      return { symbol: data.s, price, qty: toUnits(String(data.q ?? '0')) };
    }
    if (data.e === 'kline' && typeof data.k?.c === 'string' && !this.books.has(data.s))
      this.last.set(data.s, toUnits(data.k.c));
    return undefined;
  }

  /** A candle of a replayed series closed: it becomes visible to REST and sets the last price. */
  revealCandle(symbol: string, interval: string, row: CandleRow): void {
    const s = this.series.get(key(symbol, interval));
    if (s) s.visible = Math.max(s.visible, s.series.rows.indexOf(row) + 1);
    this.last.set(symbol, toUnits(row.close));
  }
}

function key(symbol: string, interval: string): string {
  return `${symbol}:${interval}`;
}
