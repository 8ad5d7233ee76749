import type { Bus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import { DEFAULT_RISK_LIMITS, RiskLimits } from '@ballast/core';
import { BotStateRepository, ClosedTradeRepository, type Database } from '@ballast/db';
import { CcxtVenue, type OrderVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { RiskConfig } from './config';
import { KillStore } from './kill-store';
import { RiskManager, type RiskManagerDeps } from './risk-manager';

export interface RiskDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  config: RiskConfig;
  log: RiskManagerDeps['log'];
  venue?: Pick<OrderVenue, 'id' | 'marketRules' | 'balances'>;
}

export async function startRisk(deps: RiskDeps): Promise<AsyncDisposable & { manager: RiskManager }> {
  const { config } = deps;
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
    });
  const limits = config.RISK_LIMITS_JSON
    ? RiskLimits.parse(JSON.parse(config.RISK_LIMITS_JSON))
    : DEFAULT_RISK_LIMITS;
  const manager = new RiskManager({
    bus: deps.bus,
    venue,
    trades: new ClosedTradeRepository(deps.db),
    kill: new KillStore(new BotStateRepository(deps.db, deps.clock), 'risk'),
    clock: deps.clock,
    config,
    limits,
    log: deps.log,
  });
  await manager.start();
  return { manager, [Symbol.asyncDispose]: () => manager.stop() };
}
