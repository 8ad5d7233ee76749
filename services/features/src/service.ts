import type { Bus } from '@ballast/bus';
import {
  type Candle,
  type Clock,
  type Envelope,
  type FeatureVector,
  pattern,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  derivedUuid,
  FeatureEngine,
  type FeatureEngineOptions,
  type FeatureOutcome,
  fromFuture,
  MAX_CLOSE_AHEAD_MS,
} from '@ballast/core';
import { CandleRepository, type Database, type SeriesKey } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { CandleIntake } from './candle-intake';
import type { FeaturesConfig } from './config';
import { SeriesStates } from './series-states';

export interface FeaturesServiceDeps {
  bus: Bus;
  db: Kysely<Database>;
  log: Logger;
  metrics: Registry;
  config: FeaturesConfig;
  /** Where the warm-up stops: stored candles closing after it are from the future. */
  clock: Clock;
  engine?: Partial<FeatureEngineOptions>;
}

/**
 * md.candle.* → FeatureEngine → feat.{exchange}.{symbol}.{timeframe}. The durable subscription exists
 * before the configured series are warmed from stored candles, and deliveries wait for that warm-up, so
 * a candle closing during start-up is delivered rather than lost; CandleIntake lines history and stream
 * up. A series publishes nothing until its indicators are warm.
 */
export async function startFeaturesService(deps: FeaturesServiceDeps): Promise<AsyncDisposable> {
  const { bus, log, config } = deps;
  const engine = new FeatureEngine(deps.engine);
  const metrics = featuresMetrics(deps.metrics);
  const states = new SeriesStates(deps.metrics);
  const warmUpCandles = (series: SeriesKey) =>
    config.FEATURES_WARMUP_CANDLES ?? engine.warmUpBars(series.timeframe);
  const intake = new CandleIntake({
    engine,
    candles: new CandleRepository(deps.db),
    clock: deps.clock,
    onFromFuture: (series, count, closedBy) => {
      metrics.passedOver.inc({ reason: 'from_future' }, count);
      log.warn(
        { ...series, count, closedBy, reason: 'from_future' },
        'stored candles from the future (times in another unit?) passed over: the warm-up ends before them',
      );
    },
    warmUpCandles,
    onReplayed: (candle, outcome) => states.observe(candle, outcome, candle.closeTime),
    coldAfterMissing: config.FEATURES_COLD_AFTER_MISSING,
    onHole: (series, hole, cold) => {
      metrics.holes.inc({ action: cold ? 'cold' : 'bridged' });
      if (cold) states.cold(series);
      log.warn({ ...series, ...hole, cold }, 'candles missing from both stream and database');
    },
  });
  // Vectors computed but not yet published (a failed publish): the next delivery of the series sends them.
  const unpublished = new Map<string, Array<{ vector: FeatureVector; closeTime: number }>>();
  const publishPending = async (key: string, cause: Envelope<Candle>) => {
    const queue = unpublished.get(key) ?? [];
    while (queue.length > 0) {
      const { vector, closeTime } = queue[0]!;
      const { exchange, symbol, timeframe, openTime } = vector;
      await bus.publish(subject(Subjects.features, { exchange, symbol, timeframe }), vector, {
        causedBy: cause,
        eventTime: closeTime,
        // The same vector published again (after a crash before the ack) is de-duplicated by the bus.
        id: derivedUuid('feat', exchange, symbol, timeframe, openTime),
      });
      queue.shift();
    }
  };
  // The gate deliveries wait on. It must also fail: stopping the subscription waits for the delivery
  // in flight, which would otherwise wait on the gate forever and start-up would never settle.
  let warmed!: () => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    warmed = resolve;
    failed = reject;
  });
  ready.catch(() => {});
  const outOfOrder = new OutOfOrderReport(log, deps.clock);
  const onCandle = async (message: Envelope<Candle>) => {
    await ready;
    const key = `${message.payload.exchange}|${message.payload.symbol}|${message.payload.timeframe}`;
    // ADR 26: a candle closing in the future (times in another unit?) would leave every real candle of its
    // series out of order after it; dropped here too, not only by market-data's guard.
    const now = deps.clock.now();
    if (fromFuture(message.payload.closeTime, now)) {
      metrics.rejections.inc({ reason: 'from_future' });
      const { exchange, symbol, timeframe, openTime, closeTime } = message.payload;
      log.warn(
        {
          exchange,
          symbol,
          timeframe,
          openTime,
          closeTime,
          now,
          aheadMs: MAX_CLOSE_AHEAD_MS,
          reason: 'from_future',
        },
        'candle closing in the future (times in another unit?) dropped',
      );
      return;
    }
    const queue = unpublished.get(key) ?? [];
    for (const { candle, outcome } of await intake.accept(message.payload)) {
      metrics.candles.inc({ outcome: outcome.status });
      states.observe(candle, outcome, candle.closeTime);
      if (outcome.status === 'rejected') {
        metrics.rejections.inc({ reason: outcome.reason });
        if (outcome.reason === 'out_of_order') outOfOrder.report(candle, outcome);
        else log.warn({ ...seriesFields(candle), ...outcome }, 'candle rejected');
      }
      if (outcome.status === 'ready') queue.push({ vector: outcome.vector, closeTime: candle.closeTime });
    }
    unpublished.set(key, queue);
    await publishPending(key, message);
  };
  const subscription = await bus.subscribe(pattern(Subjects.candle), onCandle, {
    durable: config.FEATURES_DURABLE,
  });
  try {
    for (const series of config.FEATURES_SERIES) {
      states.starting(series);
      const replayed = await intake.warm(series);
      log.info({ ...series, replayed }, 'warmed up from stored candles');
      const wanted = warmUpCandles(series);
      // Its vectors still depend on where the history starts: they differ from a backtest's over the
      // same bars until the live candles make up the budget.
      if (replayed < wanted)
        log.warn(
          { ...series, replayed, wanted, reason: 'short_warm_up' },
          'stored history shorter than the warm-up: run `ballast backfill --warm-up` (README)',
        );
    }
  } catch (err) {
    failed(err);
    await subscription.stop();
    throw err;
  }
  warmed();
  return { [Symbol.asyncDispose]: () => subscription.stop() };
}

/**
 * Every reason a candle gives no vector by error: each counter is born at 0, so a rate or panel over one
 * exists before it fires. The engine's reasons, and from_future: a delivered candle closing after the clock.
 */
const REJECTION_REASONS = [
  'out_of_order',
  'resample_failed',
  'non_finite',
  'from_future',
] as const satisfies readonly ((FeatureOutcome & { status: 'rejected' })['reason'] | 'from_future')[];
const HOLE_ACTIONS = ['bridged', 'cold'] as const;
/** Why stored candles are left out of a warm-up (ADR 26); born at 0 like the others. */
const PASSED_OVER_REASONS = ['from_future'] as const;

function featuresMetrics(registry: Registry) {
  const metrics = {
    candles: new Counter({
      name: 'ballast_features_candles_total',
      help: 'Candles consumed by the features service (delivered or filled from the database), by outcome (ready, warming, duplicate, rejected).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'ballast_features_rejections_total',
      help: 'Candles that gave no vector by error, by reason (out_of_order, resample_failed, non_finite: an indicator came out NaN or infinite, from_future: a delivered candle closing after the clock, dropped).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    holes: new Counter({
      name: 'ballast_features_holes_total',
      help: 'Runs of candles missing from both md.candle and the database, by action (bridged, cold).',
      labelNames: ['action'],
      registers: [registry],
    }),
    passedOver: new Counter({
      name: 'ballast_features_passed_over_total',
      help: 'Stored candles a warm-up left out, by reason (from_future: closing after the clock, e.g. stamped in microseconds); they stay in the database until an operator deletes them.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
  for (const reason of REJECTION_REASONS) metrics.rejections.inc({ reason }, 0);
  for (const action of HOLE_ACTIONS) metrics.holes.inc({ action }, 0);
  for (const reason of PASSED_OVER_REASONS) metrics.passedOver.inc({ reason }, 0);
  return metrics;
}

function seriesFields(candle: Candle) {
  return { exchange: candle.exchange, symbol: candle.symbol, timeframe: candle.timeframe };
}

/** At most one warning per series in this window; the ones in between are counted into the next. */
const OUT_OF_ORDER_WARN_EVERY_MS = 60_000;

/**
 * Out-of-order candles, at warn: a few after a restart are the durable redelivering history, but a run of
 * them means the series is stuck behind a bad time. Rate-limited per series, since it repeats every candle.
 */
class OutOfOrderReport {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  report(candle: Candle, outcome: FeatureOutcome & { status: 'rejected' }): void {
    const key = `${candle.exchange}|${candle.symbol}|${candle.timeframe}`;
    const now = this.clock.now();
    const last = this.last.get(key);
    if (last && now - last.at < OUT_OF_ORDER_WARN_EVERY_MS) {
      last.skipped++;
      return;
    }
    this.log.warn(
      { ...seriesFields(candle), openTime: candle.openTime, ...outcome, unreportedSince: last?.skipped ?? 0 },
      'candle older than the series rejected (a redelivery after a restart, or the series is behind a bad time)',
    );
    this.last.set(key, { at: now, skipped: 0 });
  }
}
