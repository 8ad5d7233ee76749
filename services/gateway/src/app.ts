import type { Bus } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import type { Logger } from '@ballast/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { handleGatewayError, refuse } from './api/api-error';
import { registerEventStream } from './api/events-route';
import { collectOpenApi } from './api/openapi';
import type { ReadModel } from './api/read-model';
import { registerReadRoutes } from './api/read-routes';
import { registerAuth } from './auth/auth-plugin';
import { SessionStore } from './auth/sessions';
import type { GatewayConfig } from './config';
import type { ControlLog } from './control/control-log';
import { registerControlRoutes } from './control/control-routes';
import type { ConfigStore } from './governance/config-store';
import { registerGovernanceRoutes } from './governance/governance-routes';
import type { LiveState } from './live/live-state';
import { PUBLIC_RESULTS_API, registerPublicRoutes } from './public/public-routes';
import { registerWebAssets } from './web-assets';

export interface GatewayAppDeps {
  config: GatewayConfig;
  bus: Bus;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  metrics: Registry;
  live: LiveState;
  model: ReadModel;
  controlLog: ControlLog;
  configStore: ConfigStore;
  /** Built dashboard directory; omitted: API only. */
  webDist?: string;
}

/** The gateway's HTTP app, built apart from listening so tests use `inject`. */
export async function buildGatewayApp(deps: GatewayAppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: false,
    trustProxy: config.GATEWAY_TRUST_PROXY,
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  });
  collectOpenApi(app);
  const sessions = new SessionStore(deps.clock, config.GATEWAY_SESSION_TTL_MS);
  await registerAuth(app, {
    users: config.GATEWAY_USERS,
    clock: deps.clock,
    log: deps.log,
    metrics: deps.metrics,
    secureCookies: config.GATEWAY_SECURE_COOKIES,
    sessions,
    publicReadPaths: [PUBLIC_RESULTS_API],
    login: {
      windowMs: config.GATEWAY_LOGIN_WINDOW_MS,
      maxPerIp: config.GATEWAY_LOGIN_MAX_PER_IP,
      maxPerUser: config.GATEWAY_LOGIN_MAX_PER_USER,
    },
  });
  registerReadRoutes(app, deps.model, deps.live, deps.controlLog, config.GATEWAY_CONTROL_SERVICES);
  registerControlRoutes(app, deps);
  registerGovernanceRoutes(app, {
    config: deps.configStore,
    bus: deps.bus,
    model: deps.model,
    log: deps.log,
    metrics: deps.metrics,
  });
  registerEventStream(app, {
    live: deps.live,
    sessions,
    metrics: deps.metrics,
    heartbeatMs: config.GATEWAY_SSE_HEARTBEAT_MS,
  });
  registerPublicRoutes(app, {
    enabled: config.GATEWAY_PUBLIC_RESULTS,
    model: deps.model,
    clock: deps.clock,
    ttlMs: config.GATEWAY_PUBLIC_RESULTS_TTL_MS,
  });
  if (deps.webDist) registerWebAssets(app, deps.webDist);
  // Every method, not only the GETs the dashboard's catch-all serves: a mistyped POST gets the typed 404 too.
  app.setNotFoundHandler((_req, reply) => refuse(reply, 'not_found', 'no such route'));
  app.setErrorHandler(handleGatewayError(deps.log));
  return app;
}
