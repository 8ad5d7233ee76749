import type { Bus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import { BotStateRepository, type Database, RiskDecidedRepository } from '@ballast/db';
import { CcxtVenue } from '@ballast/exchange';
import { KillStore } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { ClosedTradeRecorder } from './closed-trade-recorder';
import type { RiskConfig } from './config';
import { configuredLimits } from './configured-limits';
import { type DecidedStore, tableDecided } from './decided-store';
import { EquityBaselineStore } from './equity-baseline-store';
import { FeedStatesStore } from './feed-states-store';
import { readHeldPositions, venueRules } from './held-positions';
import { DEFAULT_LIFECYCLE_REVIEW_MS, LifecycleReview } from './lifecycle-review';
import { LiveLimits } from './live-limits';
import { riskDurable } from './own-venue';
import { RiskManager, type RiskManagerDeps } from './risk-manager';
import { RiskMetrics } from './risk-metrics';

export interface RiskDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  config: RiskConfig;
  log: RiskManagerDeps['log'];
  venue?: RiskManagerDeps['venue'];
  /** The service's registry; figures and decisions are exported on it. */
  metrics?: Registry;
  /** Where decisions survive a restart; default the risk_decided_intents table of `db`. */
  decisions?: DecidedStore;
  /** Where the kill switch survives a restart; default bot_state `kill:risk` of `db`. */
  kill?: RiskManagerDeps['kill'];
}

export type { DecidedStore } from './decided-store';

export async function startRisk(
  deps: RiskDeps,
): Promise<AsyncDisposable & { manager: RiskManager; limits: LiveLimits }> {
  const { config } = deps;
  const base = configuredLimits(config);
  const credentials =
    config.EXCHANGE_API_KEY && config.EXCHANGE_API_SECRET
      ? { apiKey: config.EXCHANGE_API_KEY, secret: config.EXCHANGE_API_SECRET }
      : undefined;
  const venue =
    deps.venue ??
    new CcxtVenue({
      venue: config.RISK_VENUE,
      exchangeId: config.RISK_VENUE,
      ...(config.EXCHANGE_BASE_URL ? { baseUrl: config.EXCHANGE_BASE_URL } : {}),
      ...(credentials ? { credentials } : {}),
      clock: deps.clock,
    });
  let manager: RiskManager | undefined;
  const review =
    config.RISK_LIFECYCLE_REVIEW === false
      ? undefined
      : new LifecycleReview({
          bus: deps.bus,
          db: deps.db,
          clock: deps.clock,
          venue: venue.id,
          equity: () => manager?.current.equity ?? 0,
          openPnl: (strategy) => manager?.openPnl(strategy) ?? 0,
          intervalMs: config.RISK_LIFECYCLE_REVIEW_MS ?? DEFAULT_LIFECYCLE_REVIEW_MS,
          log: deps.log,
        });
  const metrics = deps.metrics ? new RiskMetrics(deps.metrics, () => manager?.figures()) : undefined;
  const limits = new LiveLimits({
    db: deps.db,
    clock: deps.clock,
    base,
    ...(config.STOP_LIMIT_OFFSET_BPS === undefined
      ? {}
      : { stopLimitOffsetBps: config.STOP_LIMIT_OFFSET_BPS }),
    log: deps.log,
    ...(metrics ? { loaded: (outcome) => metrics.limitsLoaded(outcome) } : {}),
  });
  // Watching before the first read: a change made while starting is not missed.
  // Its own durable per venue: every risk reloads an operator's change, not one of them.
  const reload = await limits.watch(deps.bus, riskDurable(venue.id, 'config'));
  await limits.load(null);
  manager = new RiskManager({
    bus: deps.bus,
    venue,
    trades: new ClosedTradeRecorder(deps.db, deps.clock, config.RISK_HOUR_STATS !== false),
    kill: deps.kill ?? new KillStore(new BotStateRepository(deps.db, deps.clock), 'risk'),
    baseline: new EquityBaselineStore(new BotStateRepository(deps.db, deps.clock), venue.id),
    feeds: new FeedStatesStore(new BotStateRepository(deps.db, deps.clock), venue.id),
    decisions: deps.decisions ?? tableDecided(new RiskDecidedRepository(deps.db), venue.id),
    held: () => readHeldPositions(deps.db, deps.clock, venueRules(venue, deps.log)),
    clock: deps.clock,
    config,
    limits,
    log: deps.log,
    ...(metrics
      ? {
          decided: (v) => metrics.decided(v),
          killSaveFailed: () => metrics.killSaveFailed(),
          restMarkFailed: () => metrics.restMarkFailed(),
          otherVenue: (what) => metrics.otherVenue(what),
        }
      : {}),
    ...(review ? { tradeClosed: (strategy: string) => review.closed(strategy) } : {}),
  });
  await manager.start();
  review?.start();
  return {
    manager,
    limits,
    [Symbol.asyncDispose]: async () => {
      await reload.stop();
      await manager.stop();
      await review?.stop();
    },
  };
}
