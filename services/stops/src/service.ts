import type { Bus } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import type { MarketRules } from '@ballast/core';
import { type Database, ProtectiveStopRepository } from '@ballast/db';
import { CcxtVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { StopsConfig } from './config';
import { PaperStopVenue } from './paper-stop-venue';
import { type StopLog, StopManager } from './stop-manager';
import { StopMetrics } from './stop-metrics';
import { StopRecord } from './stop-record';
import type { StopVenue } from './stop-venue';

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
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts the stop manager: reload active stops, verify them on the venue, then follow events. */
export async function startStops(deps: StopsDeps): Promise<AsyncDisposable & { manager: StopManager }> {
  const venue = deps.venue ?? paperVenue(deps);
  const manager = new StopManager({
    bus: deps.bus,
    venue,
    store: new ProtectiveStopRepository(deps.db, deps.clock, StopRecord),
    metrics: new StopMetrics(deps.metrics),
    clock: deps.clock,
    config: deps.config,
    log: deps.log,
    sleep: deps.sleep ?? realSleep,
  });
  await manager.start();
  return {
    manager,
    async [Symbol.asyncDispose]() {
      await manager.stop();
    },
  };
}

/** Paper stops take tick and step sizes from the real market definitions, read once per symbol. */
function paperVenue(deps: StopsDeps): PaperStopVenue {
  const live = new CcxtVenue({
    venue: deps.config.STOPS_VENUE,
    exchangeId: deps.config.STOPS_VENUE,
    ...(deps.config.EXCHANGE_BASE_URL ? { baseUrl: deps.config.EXCHANGE_BASE_URL } : {}),
  });
  const rules = new Map<string, Promise<MarketRules>>();
  return new PaperStopVenue({
    venue: deps.config.STOPS_VENUE,
    ids: deps.ids,
    rules: (symbol) => {
      const cached = rules.get(symbol) ?? live.marketRules(symbol);
      rules.set(symbol, cached);
      cached.catch(() => rules.delete(symbol));
      return cached;
    },
  });
}
