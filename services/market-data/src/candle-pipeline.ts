import type { Bus } from '@ballast/bus';
import { type Candle, type Clock, Subjects, subject, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { CandleSequencer } from '@ballast/core';
import type { CandleRepository } from '@ballast/db';
import type { CandlePage } from '@ballast/exchange';
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
  /** Backfills flip the symbol's status while they run. */
  status(symbol: string, state: 'backfilling' | 'live', reason: string): void;
}

/**
 * Closed candles: each is upserted before it is published (a consumer can trust the DB), in
 * open-time order, exactly once. A gap is backfilled over REST before the newer candle goes out;
 * duplicates, older and misaligned candles are dropped with their reason.
 */
export class CandlePipeline {
  private readonly sequencer = new CandleSequencer();
  private readonly queue: SerialQueue;

  constructor(private readonly deps: CandlePipelineDeps) {
    this.queue = new SerialQueue((err) => deps.log.error({ err: String(err) }, 'candle task failed'));
  }

  /** Positions every series after its newest stored candle. */
  async seed(): Promise<void> {
    for (const symbol of this.deps.symbols) {
      const last = await this.deps.repo.lastOpenTime(this.series(symbol));
      if (last !== undefined) this.sequencer.seed(this.series(symbol), last);
    }
  }

  onCandle(candle: Candle): void {
    void this.queue.run(() => this.handle(candle));
  }

  /** After a (re)connect: fetch what closed since the last stored candle while no stream was open. */
  catchUp(): void {
    for (const symbol of this.deps.symbols) {
      void this.queue.run(async () => {
        const last = this.sequencer.lastOpenTime(this.series(symbol));
        if (last === null) return;
        const step = TIMEFRAME_MS[this.deps.timeframe];
        const now = this.deps.clock.now();
        const lastClosedOpen = Math.floor(now / step) * step - step;
        if (lastClosedOpen > last) await this.backfill(symbol, last + step, lastClosedOpen, 'reconnect');
      });
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async handle(candle: Candle): Promise<void> {
    const verdict = this.sequencer.check(candle);
    if (verdict.kind === 'gap') {
      this.deps.metrics.gaps.inc({ kind: 'candle' });
      this.deps.log.warn(
        {
          symbol: candle.symbol,
          from: verdict.fromOpenTime,
          to: verdict.toOpenTime,
          missing: verdict.missing,
        },
        'candle gap: backfilling before publishing',
      );
      await this.backfill(candle.symbol, verdict.fromOpenTime, verdict.toOpenTime, 'gap');
    } else if (verdict.kind !== 'in_order') {
      this.drop(candle, verdict.kind);
      return;
    }
    // A backfill may already have covered this candle (fetched as closed just before the frame came).
    const after = this.sequencer.check(candle);
    if (after.kind !== 'in_order') {
      this.drop(candle, after.kind);
      return;
    }
    await this.storeAndPublish([candle]);
    this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'ok' });
  }

  private drop(candle: Candle, outcome: string): void {
    this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome });
    this.deps.log.warn({ symbol: candle.symbol, openTime: candle.openTime, outcome }, 'candle dropped');
  }

  private async backfill(symbol: string, from: number, to: number, why: 'gap' | 'reconnect'): Promise<void> {
    this.deps.status(symbol, 'backfilling', `${why}: ${from}..${to}`);
    try {
      const page = await this.deps.rest.fetchCandles(symbol, this.deps.timeframe, from, to);
      for (const r of page.rejected) {
        this.deps.metrics.frames.inc({ venue: this.deps.venue, outcome: 'rest_invalid' });
        this.deps.log.warn({ symbol, openTime: r.openTime, issue: r.issue }, 'backfilled candle rejected');
      }
      const last = this.sequencer.lastOpenTime(this.series(symbol)) ?? Number.NEGATIVE_INFINITY;
      const fresh = page.candles.filter((c) => c.openTime > last);
      await this.storeAndPublish(fresh);
      this.deps.metrics.backfilled.inc(fresh.length);
      this.deps.log.info({ symbol, from, to, why, backfilled: fresh.length }, 'candles backfilled');
    } catch (err) {
      // The newer candle still goes out: it is real; the hole stays visible in the DB and the log.
      this.deps.log.error({ symbol, from, to, err: String(err) }, 'candle backfill failed');
    } finally {
      this.deps.status(symbol, 'live', `${why} backfill done`);
    }
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

  private series(symbol: string) {
    return { exchange: this.deps.venue, symbol, timeframe: this.deps.timeframe };
  }
}
