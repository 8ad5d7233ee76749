import type { Candle } from '@ballast/contracts';

export type HoldOutcome = 'held' | 'widened';

/**
 * One symbol's unfilled candle gap: the open-time range [from, to] REST must fill, and the newer
 * stream candles held (unpublished) meanwhile. Memory is bounded: past `maxHeld` the held candles are
 * let go and the range widened over them, so REST fetches them instead once it answers.
 */
export class CandleGap {
  private held: Candle[] = [];
  /** Failed repair attempts so far (drives the backoff). */
  failures = 0;
  /** The last failure named its own wait (Retry-After, or a ban): nothing may retry before it. */
  venueWait = false;

  constructor(
    public from: number,
    public to: number,
    private readonly maxHeld: number,
  ) {}

  /** Stream candles held right now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Newest held open time (null: none): a later stream candle must be past it. */
  get newest(): number | null {
    return this.held.at(-1)?.openTime ?? null;
  }

  /**
   * Holds a candle newer than everything held. At the bound, the held candles and this one are
   * dropped and the range grows to this candle: returns how many stream candles were let go.
   */
  hold(candle: Candle): { outcome: HoldOutcome; released: number } {
    if (this.held.length < this.maxHeld) {
      this.held.push(candle);
      return { outcome: 'held', released: 0 };
    }
    const released = this.held.length + 1;
    this.held = [];
    this.to = Math.max(this.to, candle.openTime);
    return { outcome: 'widened', released };
  }

  /**
   * Every bar of the range is held (a stream candle whose store or publish failed): REST has nothing
   * to add, so the repair need not ask it, nor wait for its copy to settle.
   */
  holdsAll(step: number): boolean {
    const bars = (this.to - this.from) / step + 1;
    if (this.held.length < bars) return false;
    const open = new Set(this.held.map((c) => c.openTime));
    for (let t = this.from; t <= this.to; t += step) if (!open.has(t)) return false;
    return true;
  }

  /** A reconnect found more closed candles missing: fetch up to `to` as well. */
  widen(to: number): void {
    this.to = Math.max(this.to, to);
  }

  /**
   * What to publish once REST answered: its candles and the held ones, one per open time (REST wins),
   * ascending, newer than `after`. `fromRest` counts the backfilled ones.
   */
  merge(rest: readonly Candle[], after: number | null): { candles: Candle[]; fromRest: number } {
    const byOpen = new Map<number, { candle: Candle; rest: boolean }>();
    for (const c of this.held) byOpen.set(c.openTime, { candle: c, rest: false });
    for (const c of rest) byOpen.set(c.openTime, { candle: c, rest: true });
    const out = [...byOpen.values()]
      .filter((e) => after === null || e.candle.openTime > after)
      .sort((a, b) => a.candle.openTime - b.candle.openTime);
    return { candles: out.map((e) => e.candle), fromRest: out.filter((e) => e.rest).length };
  }
}
