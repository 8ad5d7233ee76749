import type { RecordedFrame } from './recorded-frame';

type Level = [string, string];
type Sides = { b: Level[]; a: Level[] };

interface BookData {
  s: string;
  b: Level[];
  a: Level[];
  u: number;
  seq: number;
}

interface BookFrame {
  topic: string;
  type: 'snapshot' | 'delta';
  ts: number;
  data: BookData;
  cts: number;
}

/** The shallower view the market-data feed takes (`orderbook.50`), served from a deeper recording. */
const DERIVED_DEPTHS = [50] as const;

/** `orderbook.<depth>.<symbol>` → its parts; undefined for any other topic. */
export function parseBookTopic(topic: string): { depth: number; symbol: string } | undefined {
  const m = /^orderbook\.(\d+)\.([A-Z0-9]+)$/.exec(topic);
  return m ? { depth: Number(m[1]), symbol: m[2] as string } : undefined;
}

/** One symbol's Bybit book as the exchange holds it: price text → size text, with the last `u`/`seq`. */
class BybitBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  u = 0;
  seq = 0;
  ts = 0;
  cts = 0;

  constructor(
    readonly symbol: string,
    readonly depth: number,
  ) {}

  apply(frame: BookFrame): void {
    if (frame.type === 'snapshot') {
      this.bids.clear();
      this.asks.clear();
    }
    for (const [p, q] of frame.data.b) setLevel(this.bids, p, q);
    for (const [p, q] of frame.data.a) setLevel(this.asks, p, q);
    this.u = frame.data.u;
    this.seq = frame.data.seq;
    this.ts = frame.ts;
    this.cts = frame.cts;
  }

  /** The best `n` levels a side, best first. */
  top(n: number): Sides {
    return { b: best(this.bids, -1).slice(0, n), a: best(this.asks, 1).slice(0, n) };
  }

  /** Each of `depths` as `top` would give it, sorting each side once. */
  views(depths: readonly number[]): Sides[] {
    const b = best(this.bids, -1);
    const a = best(this.asks, 1);
    return depths.map((n) => ({ b: b.slice(0, n), a: a.slice(0, n) }));
  }
}

/**
 * The recorded Bybit books, moved by the recorded `orderbook.<N>` frames as they are replayed
 * (before transport faults). Shallower topics are derived from them as Bybit computes them: the
 * top-N view before and after each recorded update, its differences as the delta (a level pushed out
 * of the view is sent with size 0), under the recorded `u`, `seq` and times.
 */
export class BybitBooks {
  private readonly books = new Map<string, BybitBook>();
  private readonly derived = new WeakMap<RecordedFrame, Array<{ route: string; raw: string }>>();

  /** Applies a replayed source frame; other topics are ignored. */
  onSource(frame: RecordedFrame): void {
    const topic = parseBookTopic(frame.route);
    if (!topic) return;
    const data = frame.data as BookFrame;
    let book = this.books.get(topic.symbol);
    if (!book || book.depth !== topic.depth) {
      if (data.type !== 'snapshot') return;
      book = new BybitBook(topic.symbol, topic.depth);
      this.books.set(topic.symbol, book);
    }
    const views = DERIVED_DEPTHS.filter((n) => n < topic.depth);
    const before = book.views(views);
    book.apply(data);
    const after = book.views(views);
    this.derived.set(
      frame,
      views.map((n, i) => {
        const route = `orderbook.${n}.${topic.symbol}`;
        const now = after[i] as Sides;
        const was = before[i] as Sides;
        const sides = data.type === 'snapshot' ? now : { b: changes(was.b, now.b), a: changes(was.a, now.a) };
        return { route, raw: frameText(route, data.type, book, sides) };
      }),
    );
  }

  /** The derived frames that go out with a source frame (after faults: a skipped frame takes them along). */
  derivedOf(frame: RecordedFrame): ReadonlyArray<{ route: string; raw: string }> {
    return this.derived.get(frame) ?? [];
  }

  /** A snapshot of the current book for a topic, as Bybit sends after a subscribe; undefined before the first. */
  snapshotFrame(topic: string): string | undefined {
    const t = parseBookTopic(topic);
    const book = t && this.books.get(t.symbol);
    if (!t || !book || t.depth > book.depth) return undefined;
    return frameText(topic, 'snapshot', book, book.top(t.depth));
  }

  /** `/v5/market/orderbook`: the current book to `limit` levels a side; undefined for an unknown symbol. */
  restView(symbol: string, limit: number): (BookData & { ts: number; cts: number }) | undefined {
    const book = this.books.get(symbol);
    if (!book) return undefined;
    const { b, a } = book.top(Math.min(limit, book.depth));
    return { s: symbol, b, a, ts: book.ts, u: book.u, seq: book.seq, cts: book.cts };
  }

  reset(): void {
    this.books.clear();
  }
}

function frameText(topic: string, type: 'snapshot' | 'delta', book: BybitBook, sides: Sides): string {
  const data: BookData = { s: book.symbol, b: sides.b, a: sides.a, u: book.u, seq: book.seq };
  return JSON.stringify({ topic, type, ts: book.ts, data, cts: book.cts });
}

/** Levels that differ between two views of one side: new sizes, and size 0 for levels gone from it. */
function changes(before: readonly Level[], after: readonly Level[]): Level[] {
  const was = new Map(before);
  const now = new Map(after);
  const out: Level[] = [];
  for (const [p, q] of after) if (was.get(p) !== q) out.push([p, q]);
  for (const [p] of before) if (!now.has(p)) out.push([p, '0']);
  return out;
}

function setLevel(side: Map<string, string>, price: string, size: string): void {
  if (Number(size) === 0) side.delete(price);
  else side.set(price, size);
}

function best(side: Map<string, string>, dir: 1 | -1): Level[] {
  return [...side.entries()].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));
}
