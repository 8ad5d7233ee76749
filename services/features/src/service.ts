import type { Bus } from '@ballast/bus';
import { type Candle, type Envelope, pattern, Subjects, subject } from '@ballast/contracts';
import { FeatureEngine, type FeatureEngineOptions, type FeatureOutcome } from '@ballast/core';
import { CandleRepository, type Database } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { FeaturesConfig } from './config';
import { warmUp } from './warm-up';

export interface FeaturesServiceDeps {
  bus: Bus;
  db: Kysely<Database>;
  log: Logger;
  metrics: Registry;
  config: FeaturesConfig;
  engine?: Partial<FeatureEngineOptions>;
}

/**
 * md.candle.* → FeatureEngine → feat.{exchange}.{symbol}.{timeframe}. Warms each configured series from
 * stored candles first; a series publishes nothing until its indicators are warm.
 */
export async function startFeaturesService(deps: FeaturesServiceDeps): Promise<AsyncDisposable> {
  const { bus, log, config } = deps;
  const engine = new FeatureEngine(deps.engine);
  const candles = new Counter({
    name: 'ballast_features_candles_total',
    help: 'Closed candles consumed by the features service, by outcome (ready, warming, duplicate, rejected).',
    labelNames: ['outcome'],
    registers: [deps.metrics],
  });
  const repository = new CandleRepository(deps.db);
  for (const series of config.FEATURES_SERIES) {
    const replayed = await warmUp(engine, repository, series, config.FEATURES_WARMUP_CANDLES);
    log.info({ ...series, replayed }, 'warmed up from stored candles');
  }
  const onCandle = async (message: Envelope<Candle>) => {
    const outcome = engine.process(message.payload);
    candles.inc({ outcome: outcome.status });
    if (outcome.status === 'rejected') report(log, message.payload, outcome);
    if (outcome.status !== 'ready') return;
    const { exchange, symbol, timeframe } = outcome.vector;
    await bus.publish(subject(Subjects.features, { exchange, symbol, timeframe }), outcome.vector, {
      causedBy: message,
      eventTime: message.payload.closeTime,
    });
  };
  const subscription = await bus.subscribe(pattern(Subjects.candle), onCandle, {
    durable: config.FEATURES_DURABLE,
  });
  return { [Symbol.asyncDispose]: () => subscription.stop() };
}

function report(log: Logger, candle: Candle, outcome: FeatureOutcome & { status: 'rejected' }): void {
  const fields = {
    exchange: candle.exchange,
    symbol: candle.symbol,
    timeframe: candle.timeframe,
    ...outcome,
  };
  // A redelivered or replayed older candle is routine after a restart; a resampling failure is not.
  if (outcome.reason === 'out_of_order') log.debug(fields, 'candle older than the series, skipped');
  else log.warn(fields, 'candle rejected');
}
