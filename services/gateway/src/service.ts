import type { Bus } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import { defaultStrategies, StrategiesConfig } from '@ballast/core';
import { BotStateRepository, type Database } from '@ballast/db';
import { type BaseConfig, KillStore, type Logger } from '@ballast/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { ReadModel } from './api/read-model';
import { buildGatewayApp } from './app';
import type { GatewayConfig } from './config';
import { configuredLimits } from './configured-limits';
import { ControlLog } from './control/control-log';
import { ConfigStore } from './governance/config-store';
import { LiveState } from './live/live-state';
import { registerReadinessGauge } from './readiness-metrics';
import { ensureWebBuilt } from './web-assets';

export interface GatewayDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  /** With the stack's UPTIME_SAMPLE_MS (runService passes the base variables), uptime expects its interval. */
  config: GatewayConfig & Partial<Pick<BaseConfig, 'UPTIME_SAMPLE_MS'>>;
  log: Logger;
  metrics: Registry;
  /** Removes this instance's durable consumers when it stops (NATS only). */
  forgetDurables?: (names: readonly string[]) => Promise<void>;
}

export interface Gateway extends AsyncDisposable {
  app: FastifyInstance;
  live: LiveState;
  /** Where the dashboard and API listen. */
  url: string;
}

/**
 * Starts the gateway: risk limits not covering the stop-limit offset refuse the start (configuredLimits),
 * then the bus read model, then the HTTP API and dashboard on GATEWAY_HOST:GATEWAY_PORT.
 */
export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config } = deps;
  const baseLimits = configuredLimits(config);
  const live = new LiveState(deps.bus, deps.clock, `gateway-${deps.ids().replaceAll('-', '').slice(-12)}`);
  // The risk service's persisted switch is the state until the bus says otherwise.
  const kill = await new KillStore(new BotStateRepository(deps.db, deps.clock), 'risk').load();
  await live.start(kill);
  const webDist = await ensureWebBuilt(config.GATEWAY_WEB_DIR);
  const controlLog = new ControlLog(deps.db);
  const configStore = new ConfigStore({
    db: deps.db,
    clock: deps.clock,
    ids: deps.ids,
    baseLimits,
    stopLimitOffsetBps: config.STOP_LIMIT_OFFSET_BPS,
    strategies: defaultStrategies(StrategiesConfig.parse({})).map((s) => s.name),
  });
  const model = new ReadModel({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    live,
    initialEquity: config.GATEWAY_INITIAL_EQUITY,
    ...(config.RISK_LIMITS_JSON ? { limits: config.RISK_LIMITS_JSON } : {}),
    currentLimits: () => configStore.riskLimits(),
    healthUrls: config.GATEWAY_HEALTH_URLS,
    // 0 only stops this service's own sampling; the trading services' interval is then the default.
    ...(config.UPTIME_SAMPLE_MS ? { uptimeSampleMs: config.UPTIME_SAMPLE_MS } : {}),
  });
  registerReadinessGauge(deps.metrics, () => model.readiness(), deps.log);
  const app = await buildGatewayApp({ ...deps, live, model, controlLog, configStore, webDist });
  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.GATEWAY_PORT;
  const url = `http://${config.GATEWAY_HOST.includes(':') ? `[${config.GATEWAY_HOST}]` : config.GATEWAY_HOST}:${port}`;
  deps.log.info({ host: config.GATEWAY_HOST, port, users: config.GATEWAY_USERS.size }, 'gateway listening');
  return {
    app,
    live,
    url,
    async [Symbol.asyncDispose]() {
      await app.close();
      await live.stop();
      await deps
        .forgetDurables?.(live.durables)
        .catch((err: unknown) => deps.log.warn({ err }, 'could not delete the gateway durables'));
    },
  };
}
