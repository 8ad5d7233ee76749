import type { Bus } from '@ballast/bus';
import { type Candle, type Clock, Subjects, subject, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { CandleSequencer, fromFuture, latestCredibleTime, restRetryDelay } from '@ballast/core';
import type { CandleRepository } from '@ballast/db';
import { type CandlePage, REST_SETTLE_MS, RestError, restFailureWait } from '@ballast/exchange';
import { CandleGap } from './candle-gap';
import { candleEnvelopeId } from './candle-id';
import type { MarketDataMetrics } from './metrics';
import { SerialQueue } from './serial-queue';

export interface CandleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The REST side a backfill needs (CcxtRest satisfies it). */
export interface CandleSource {
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<CandlePage>;
}

/**
 * How long, by the venue's own clock, a bar's closed kline may lag its close while the venue already
 * streams the next bar's open kline. Later, the bar is overdue (its closed frame lost, or held back
 * until the next trade) and fetched over REST, rather than found missing a whole bar later.
 */
export const CLOSE_OVERDUE_MS = 10_000;

export interface CandleRepairPolicy {
  /** Pipeline-level retries of a failed backfill (each one already retried per request by CcxtRest). */
  retryBaseMs: number;
  retryCapMs: number;
  /** A ban (HTTP 418) with no Retry-After: wait this long before asking REST again. */
  banWaitMs: number;
  /** Stream candles held per symbol while its gap is unfilled; beyond it REST fetches them instead. */
  maxHeld: number;
}

export interface CandlePipelineDeps {
  venue: string;
  timeframe: Timeframe;
  symbols: readonly string[];
  repo: CandleRepository;
  rest: CandleSource;
  bus: Bus;
  clock: Clock;
  metrics: MarketDataMetrics;
  log: CandleLog;
  repair: CandleRepairPolicy;
  /** Uniform in [0, 1): retry jitter. */
  random01: () => number;
  /** A symbol is `backfilling` from a gap's detection until it is filled and published. */
  status(symbol: string, state: 'backfilling' | 'live', reason: string): void;
}

/**
 * Closed candles: each is upserted before it is published (a consumer can trust the DB), in
 * open-time order, exactly once. A gap is backfilled over REST before any newer candle goes out:
 * while REST fails, newer candles are held (bounded) and the backfill retried with capped, jittered
 * backoff; the symbol stays `backfilling` until it succeeds. Duplicates, older, misaligned and future candles
 * are dropped with their reason.
 */
export class CandlePipeline implements Disposable {
  private readonly sequencer = new CandleSequencer();
  /** One queue per symbol: each symbol's candles stay in order, and one symbol never waits on another's. */
  private readonly queues = new Map<string, SerialQueue>();
  private readonly gaps = new Map<string, CandleGap>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Symbols with an overdue check queued: open klines come every second or two, one check is enough. */
  private readonly overdueQueued = new Set<string>();
  /**
   * Per symbol, the streamed bar whose overdue predecessors were last fetched: REST is asked once per
   * streamed bar, not at every open kline while it has nothing (the next bar's close finds them again).
   */
  private readonly overdueFetched = new Map<string, number>();
  private disposed = false;

  constructor(private readonly deps: CandlePipelineDeps) {}

  /**
   * Positions every series after its newest stored candle that is no candle from the future: one
   * stored before the stream guard existed, or by a backfill, would put the series ahead of every
   * real candle to come (each then dropped as `out_of_order`). Those passed over are counted and logged.
   */
  async seed(): Promise<void> {
    const closedBy = latestCredibleTime(this.deps.clock.now());
    for (const symbol of this.deps.symbols) {
      const series = this.series(symbol);
      const last = await this.deps.repo.lastOpenTime(series, closedBy);
      if (last !== undefined) this.sequencer.seed(series, last);
      const ahead = await this.deps.repo.countClosingAfter(series, closedBy);
      if (ahead === 0) continue;
      this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'from_future' }, ahead);
      this.deps.log.warn(
        { symbol, timeframe: this.deps.timeframe, ahead, closedBy, seededAt: last ?? null },
        'stored candles from the future (times in another unit?) passed over: the series continues after the newest real one',
      );
    }
  }

  onCandle(candle: Candle): void {
    void this.queueOf(candle.symbol).run(() => this.handle(candle));
  }

  /**
   * The venue streams the bar opened at `openTime` (an open kline, at its `eventTime`): an earlier bar
   * whose closed candle has still not come CLOSE_OVERDUE_MS after its close is backfilled now. Called
   * every second or two per symbol, so it only queues work when a bar is overdue.
   */
  onOpenBar(symbol: string, openTime: number, eventTime: number): void {
    if (this.overdueQueued.has(symbol) || this.overdueFetched.get(symbol) === openTime) return;
    if (!this.isOverdue(symbol, openTime, eventTime)) return;
    this.overdueQueued.add(symbol);
    void this.queueOf(symbol).run(async () => {
      this.overdueQueued.delete(symbol);
      const last = this.sequencer.lastOpenTime(this.series(symbol));
      if (last === null || !this.isOverdue(symbol, openTime, eventTime)) return;
      const step = TIMEFRAME_MS[this.deps.timeframe];
      const to = openTime - step;
      this.overdueFetched.set(symbol, openTime);
      this.deps.metrics.gap(this.deps.venue, symbol, 'candle');
      this.deps.log.warn(
        { symbol, from: last + step, to, missing: (to - last) / step, streaming: openTime, eventTime },
        'closed candle overdue while the venue streams a later bar: backfilling',
      );
      this.openGap(symbol, last + step, to, 'overdue');
      await this.repair(symbol);
    });
  }

  /**
   * A trade or book update at the venue's `eventTime`: the bar it falls in is forming, so every earlier
   * one has closed. A kline stream stalled while the symbol's other streams flow is found so too.
   */
  onVenueTime(symbol: string, eventTime: number): void {
    const step = TIMEFRAME_MS[this.deps.timeframe];
    this.onOpenBar(symbol, Math.floor(eventTime / step) * step, eventTime);
  }

  /** After a (re)connect: fetch what closed since the last stored candle while no stream was open. */
  catchUp(): void {
    for (const symbol of this.deps.symbols) {
      void this.queueOf(symbol).run(async () => {
        const last = this.sequencer.lastOpenTime(this.series(symbol));
        if (last === null) return;
        const step = TIMEFRAME_MS[this.deps.timeframe];
        // The newest bar whose close has passed, however recently: repair() waits for REST's copy of it
        // to settle. Left out, a bar that closed just before the reconnect waited for the next bar's gap.
        const lastClosedOpen = Math.floor(this.deps.clock.now() / step) * step - step;
        const gap = this.gaps.get(symbol);
        if (gap) {
          gap.widen(lastClosedOpen);
          // The network is back: try now rather than at the end of the current backoff, unless the
          // venue named the wait (a ban grows with every request before it lifts).
          if (gap.venueWait) return;
          this.cancelRetry(symbol);
          await this.repair(symbol);
        } else if (lastClosedOpen > last) {
          this.deps.metrics.gap(this.deps.venue, symbol, 'candle');
          this.openGap(symbol, last + step, lastClosedOpen, 'reconnect');
          await this.repair(symbol);
        }
      });
    }
  }

  /** Resolves when every candle received so far is stored and published, or held behind a gap. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.idle()));
  }

  /** Stops retrying; a gap still open is found again by the next start's catch-up (the DB has the hole). */
  [Symbol.dispose](): void {
    this.disposed = true;
    for (const symbol of [...this.retries.keys()]) this.cancelRetry(symbol);
  }

  /**
   * A bar before `openTime` is missing (none of a gap being filled), closed CLOSE_OVERDUE_MS ago by
   * the venue's clock, and `openTime` is no bar from the future (times in another unit).
   */
  private isOverdue(symbol: string, openTime: number, eventTime: number): boolean {
    const last = this.sequencer.lastOpenTime(this.series(symbol));
    const step = TIMEFRAME_MS[this.deps.timeframe];
    if (last === null || openTime - step <= last || this.gaps.has(symbol)) return false;
    if (openTime % step !== 0 || fromFuture(openTime, this.deps.clock.now())) return false;
    return eventTime - openTime >= CLOSE_OVERDUE_MS;
  }

  private async handle(candle: Candle): Promise<void> {
    const now = this.deps.clock.now();
    // Accepted, a candle from the future would move the series past every real candle to come (each
    // then out_of_order), hold the symbol backfilling for a gap that never settles, and outlive a restart.
    if (fromFuture(candle.closeTime, now)) {
      this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'from_future' });
      this.deps.log.warn(
        { symbol: candle.symbol, openTime: candle.openTime, closeTime: candle.closeTime, now },
        'closed candle from the future (times in another unit?): dropped',
      );
      return;
    }
    const verdict = this.sequencer.check(candle);
    if (verdict.kind === 'duplicate' || verdict.kind === 'out_of_order' || verdict.kind === 'misaligned') {
      this.drop(candle, verdict.kind);
      return;
    }
    const open = this.gaps.get(candle.symbol);
    if (open) {
      this.holdBehind(open, candle);
      return;
    }
    if (verdict.kind === 'gap') {
      this.deps.metrics.gap(this.deps.venue, candle.symbol, 'candle');
      this.deps.log.warn(
        {
          symbol: candle.symbol,
          from: verdict.fromOpenTime,
          to: verdict.toOpenTime,
          missing: verdict.missing,
        },
        'candle gap: backfilling before publishing',
      );
      this.openGap(candle.symbol, verdict.fromOpenTime, verdict.toOpenTime, 'gap').hold(candle);
      await this.repair(candle.symbol);
      return;
    }
    try {
      await this.storeAndPublish([candle]);
    } catch (err) {
      // Kept as a gap it fills itself: retried with backoff, newer candles held behind it, the symbol
      // backfilling; dropped, it would come back only as the next bar's gap, a timeframe late.
      const gap = this.openGap(candle.symbol, candle.openTime, candle.openTime, 'store_or_publish');
      gap.hold(candle);
      this.retryLater(candle.symbol, gap, err);
      return;
    }
    this.countOk(1);
  }

  /**
   * A candle that arrived while its symbol's gap is open: held, or (at the bound) left to REST. One
   * that skips past the next expected open time (a frame lost meanwhile) widens the gap over the
   * missing ones, so the backfill fetches them too instead of publishing around a hole.
   */
  private holdBehind(gap: CandleGap, candle: Candle): void {
    const newest = gap.newest;
    if (newest !== null && candle.openTime <= newest) {
      this.drop(candle, candle.openTime === newest ? 'duplicate' : 'out_of_order');
      return;
    }
    const step = TIMEFRAME_MS[this.deps.timeframe];
    const expected = Math.max(newest ?? gap.to, gap.to) + step;
    if (candle.openTime > expected) {
      this.deps.metrics.gap(this.deps.venue, candle.symbol, 'candle');
      gap.widen(candle.openTime - step);
      this.deps.log.warn(
        { symbol: candle.symbol, from: expected, to: gap.to, missing: (candle.openTime - expected) / step },
        'candle gap behind a pending backfill: fetching those too',
      );
    }
    const { outcome, released } = gap.hold(candle);
    if (outcome === 'held') return;
    this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'held_overflow' }, released);
    this.deps.log.warn(
      { symbol: candle.symbol, released, from: gap.from, to: gap.to },
      'held candles at the bound: let go, the backfill range now covers them',
    );
  }

  private drop(candle: Candle, outcome: string): void {
    this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome });
    this.deps.log.warn({ symbol: candle.symbol, openTime: candle.openTime, outcome }, 'candle dropped');
  }

  private openGap(
    symbol: string,
    from: number,
    to: number,
    why: 'gap' | 'reconnect' | 'store_or_publish' | 'overdue',
  ): CandleGap {
    const gap = new CandleGap(from, to, this.deps.repair.maxHeld);
    this.gaps.set(symbol, gap);
    this.deps.status(symbol, 'backfilling', `${why}: ${from}..${to}`);
    return gap;
  }

  /** One backfill attempt for the symbol's open gap: on success everything goes out in order. */
  private async repair(symbol: string): Promise<void> {
    const gap = this.gaps.get(symbol);
    if (!gap || this.disposed) return;
    const { from, to } = gap;
    const step = TIMEFRAME_MS[this.deps.timeframe];
    const fromStream = gap.holdsAll(step);
    // A gap widened over a bar that just closed: wait until REST's copy of it is final.
    const settleInMs = to + step + REST_SETTLE_MS - this.deps.clock.now();
    if (!fromStream && settleInMs > 0) {
      this.repairLater(symbol, settleInMs);
      return;
    }
    try {
      const page = fromStream
        ? { candles: [], rejected: [] }
        : await this.deps.rest.fetchCandles(symbol, this.deps.timeframe, from, to);
      for (const r of page.rejected) {
        this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'rest_invalid' });
        this.deps.log.warn({ symbol, openTime: r.openTime, issue: r.issue }, 'backfilled candle rejected');
      }
      const held = gap.heldCount;
      const { candles, fromRest } = gap.merge(page.candles, this.sequencer.lastOpenTime(this.series(symbol)));
      await this.storeAndPublish(candles);
      this.gaps.delete(symbol);
      this.deps.metrics.backfilled.inc(fromRest);
      this.countOk(candles.length - fromRest);
      this.deps.log.info(
        { symbol, from, to, backfilled: fromRest, held, attempts: gap.failures + 1 },
        'candles backfilled',
      );
      this.deps.status(symbol, 'live', 'backfill done');
    } catch (err) {
      this.retryLater(symbol, gap, err);
    }
  }

  private retryLater(symbol: string, gap: CandleGap, err: unknown): void {
    const rest = err instanceof RestError ? err : undefined;
    const reason = rest?.reason ?? 'store_or_publish';
    const { retryBaseMs, retryCapMs, banWaitMs } = this.deps.repair;
    const delayMs = restRetryDelay(
      gap.failures,
      { baseMs: retryBaseMs, capMs: retryCapMs, banWaitMs },
      this.deps.random01(),
      restFailureWait(err),
    );
    gap.venueWait = rest?.venueNamedWait ?? false;
    gap.failures++;
    this.deps.metrics.backfillFailures.inc({ venue: this.deps.venue, reason });
    this.deps.log.error(
      {
        symbol,
        from: gap.from,
        to: gap.to,
        failures: gap.failures,
        held: gap.heldCount,
        retryInMs: delayMs,
        err: String(err),
      },
      'candle backfill failed: newer candles held, retrying',
    );
    this.repairLater(symbol, delayMs);
  }

  private repairLater(symbol: string, delayMs: number): void {
    if (this.disposed) return;
    this.cancelRetry(symbol);
    this.retries.set(
      symbol,
      setTimeout(() => {
        this.retries.delete(symbol);
        void this.queueOf(symbol).run(() => this.repair(symbol));
      }, delayMs),
    );
  }

  private cancelRetry(symbol: string): void {
    clearTimeout(this.retries.get(symbol));
    this.retries.delete(symbol);
  }

  private countOk(n: number): void {
    if (n > 0) this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'ok' }, n);
  }

  private async storeAndPublish(candles: readonly Candle[]): Promise<void> {
    if (candles.length === 0) return;
    await this.deps.repo.upsertMany(candles);
    for (const c of candles) {
      const to = subject(Subjects.candle, { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe });
      await this.deps.bus.publish(to, c, { eventTime: c.closeTime, id: candleEnvelopeId(c) });
      this.sequencer.accept(c);
    }
  }

  private queueOf(symbol: string): SerialQueue {
    let queue = this.queues.get(symbol);
    if (!queue) {
      queue = new SerialQueue((err) =>
        this.deps.log.error({ symbol, err: String(err) }, 'candle task failed'),
      );
      this.queues.set(symbol, queue);
    }
    return queue;
  }

  private series(symbol: string) {
    return { exchange: this.deps.venue, symbol, timeframe: this.deps.timeframe };
  }
}
