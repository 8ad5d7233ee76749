import type { Bus } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import type { MarketRules } from '@ballast/core';
import {
  BotStateRepository,
  CandleRepository,
  type Database,
  ProtectiveStopRepository,
  StopCoverageRepository,
} from '@ballast/db';
import { CcxtStopVenue, CcxtVenue, PaperStopVenue, type StopVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { StopsConfig } from './config';
import { botStateFlattenHold, type FlattenHoldStore } from './flatten-hold-store';
import { claimStopsAccount } from './paper-stops-left';
import { botStatePendingIntents, type PendingIntentStore } from './pending-intent-store';
import { type RecentBars, storedBars } from './recent-bars';
import { type StopLog, StopManager, type StopRecordStore } from './stop-manager';
import { StopMetrics } from './stop-metrics';
import { StopRecord } from './stop-record';

export type { FlattenHoldStore } from './flatten-hold-store';
export { keptFlattenHold } from './flatten-hold-store';
export type { PendingIntentStore } from './pending-intent-store';
export { type RecentBars, type RecentBarsQuery, recentBarsWindow, storedBars } from './recent-bars';
export type { StopRecordStore } from './stop-manager';
export { StopRecord } from './stop-record';

export interface StopsDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  config: StopsConfig;
  log: StopLog;
  metrics: Registry;
  sleep?: (ms: number) => Promise<void>;
  /** Replaces the configured venue (tests hand in a paper venue that outlives a restart). */
  venue?: StopVenue;
  /**
   * Replaces the stored records, pending intents and flatten hold (default: protective_stops and
   * bot_state; the hold in bot_state unless given).
   */
  stores?: { records: StopRecordStore; pending: PendingIntentStore; holds?: FlattenHoldStore };
  /** Replaces the stored candles the trailing ATR warms from (a backtest hands in the bars it replayed). */
  recentBars?: RecentBars;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts the stop manager: reload active stops, verify them on the venue, warm their trailing ATRs
 * from stored candles, then follow events, and read every live stop back every VERIFY_INTERVAL_MS.
 */
export async function startStops(deps: StopsDeps): Promise<AsyncDisposable & { manager: StopManager }> {
  const venue = deps.venue ?? configuredVenue(deps);
  const store = deps.stores?.records ?? new ProtectiveStopRepository(deps.db, deps.clock, StopRecord);
  if (!deps.venue)
    await claimStopsAccount({
      db: deps.db,
      clock: deps.clock,
      kind: deps.config.STOPS_VENUE_KIND,
      venue: venue.id,
      store,
    });
  const manager = new StopManager({
    bus: deps.bus,
    venue,
    store,
    pending:
      deps.stores?.pending ?? botStatePendingIntents(new BotStateRepository(deps.db, deps.clock), venue.id),
    holds: deps.stores?.holds ?? botStateFlattenHold(new BotStateRepository(deps.db, deps.clock), venue.id),
    recentBars: deps.recentBars ?? storedBars(new CandleRepository(deps.db), venue.id),
    metrics: new StopMetrics(deps.metrics),
    clock: deps.clock,
    config: deps.config,
    log: deps.log,
    sleep: deps.sleep ?? realSleep,
  });
  await manager.start();
  const interval = deps.config.VERIFY_INTERVAL_MS;
  const timer = interval > 0 ? setInterval(() => void manager.verifyLive(), interval) : undefined;
  timer?.unref();
  const sampler = sampleCoverage(deps, manager);
  return {
    manager,
    async [Symbol.asyncDispose]() {
      clearInterval(timer);
      clearInterval(sampler);
      await manager.stop();
    },
  };
}

/** Records coverage once per COVERAGE_SAMPLE_MS for the readiness gate's stop-coverage criterion. */
function sampleCoverage(deps: StopsDeps, manager: StopManager): NodeJS.Timeout | undefined {
  const interval = deps.config.COVERAGE_SAMPLE_MS;
  if (interval === 0) return undefined;
  const samples = new StopCoverageRepository(deps.db);
  const sample = () =>
    samples
      .record({
        source: 'stops',
        sampledAt: Math.floor(deps.clock.now() / interval) * interval,
        ...manager.coverage(),
      })
      .catch((err: unknown) => deps.log.warn({ err }, 'stop coverage sample not recorded'));
  void sample();
  const timer = setInterval(() => void sample(), interval);
  timer.unref();
  return timer;
}

function configuredVenue(deps: StopsDeps): StopVenue {
  const { config } = deps;
  const credentials =
    config.EXCHANGE_API_KEY && config.EXCHANGE_API_SECRET
      ? { apiKey: config.EXCHANGE_API_KEY, secret: config.EXCHANGE_API_SECRET }
      : undefined;
  const venueConfig = {
    venue: config.STOPS_VENUE,
    exchangeId: config.STOPS_VENUE,
    ...(config.EXCHANGE_BASE_URL ? { baseUrl: config.EXCHANGE_BASE_URL } : {}),
    ...(credentials ? { credentials } : {}),
    clock: deps.clock,
  };
  if (config.STOPS_VENUE_KIND === 'ccxt') {
    // runService merges only the schema's shape, so this cross-field rule is checked here, at start.
    if (!credentials)
      throw new Error(
        'STOPS_VENUE_KIND=ccxt needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET (or their _FILE)',
      );
    return new CcxtStopVenue({ ...venueConfig, limitOffsetBps: config.STOP_LIMIT_OFFSET_BPS });
  }
  return paperVenue(deps, new CcxtVenue(venueConfig));
}

/** Paper stops take tick and step sizes from the real market definitions, read once per symbol. */
function paperVenue(deps: StopsDeps, live: CcxtVenue): PaperStopVenue {
  const rules = new Map<string, Promise<MarketRules>>();
  // A spot account's stop-limits, as the live venue rests them; the paper account is the orders
  // service's, so its balance is not checked here.
  return new PaperStopVenue({
    venue: deps.config.STOPS_VENUE,
    ids: deps.ids,
    limitOffsetBps: deps.config.STOP_LIMIT_OFFSET_BPS,
    rules: (symbol) => {
      const cached = rules.get(symbol) ?? live.marketRules(symbol);
      rules.set(symbol, cached);
      cached.catch(() => rules.delete(symbol));
      return cached;
    },
  });
}
