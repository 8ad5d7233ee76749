import type { Bus } from '@ballast/bus';
import { Subjects, subject } from '@ballast/contracts';
import { derivedUuid } from '@ballast/core';
import type { Logger } from '@ballast/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { errorSchema, refuse } from '../api/api-error';
import type { ReadModel } from '../api/read-model';
import * as S from '../api/schemas';
import { requireRole } from '../auth/auth-plugin';
import type { Session } from '../auth/sessions';
import type { ConfigResult, ConfigStore } from './config-store';

export interface GovernanceDeps {
  config: ConfigStore;
  /** Where `config.changed` tells risk and signals to read the new value. */
  bus: Bus;
  model: ReadModel;
  log: Logger;
  metrics: Registry;
}

const reason = { type: 'string', minLength: 3, maxLength: 500 } as const;
const changeResponses = {
  200: S.configChange,
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  503: errorSchema,
};

/**
 * The configuration trail and lifecycles for everyone logged in; changing risk limits and switching
 * strategies for operators, each change recorded with who, when, why and the diff.
 */
export function registerGovernanceRoutes(app: FastifyInstance, deps: GovernanceDeps): void {
  const changes = new Counter({
    name: 'ballast_gateway_config_changes_total',
    help: 'Configuration change requests by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [deps.metrics],
  });
  // Born at 0 for the outcomes of an accepted request, so panels and rates over them exist before the first.
  for (const kind of ['risk_limits', 'strategy_enabled'])
    for (const outcome of ['recorded', 'not_announced']) changes.inc({ kind, outcome }, 0);
  const operatorOnly = requireRole('operator', () => undefined);

  const answer = async (
    kind: string,
    req: { session: Session | null },
    reply: FastifyReply,
    r: ConfigResult,
  ) => {
    if (!r.ok) {
      changes.inc({ kind, outcome: r.reason });
      return refuse(reply, r.reason === 'unknown_strategy' ? 'not_found' : r.reason, r.message);
    }
    deps.log.info({ kind, subject: r.change.subject, user: req.session?.user }, 'configuration changed');
    try {
      // The id derives from the change, so announcing it again is de-duplicated.
      await deps.bus.publish(
        subject(Subjects.configChanged, {}),
        { key: r.key, changeId: r.change.id },
        { id: derivedUuid('config', r.change.id) },
      );
    } catch (err) {
      changes.inc({ kind, outcome: 'not_announced' });
      deps.log.error({ err, kind, changeId: r.change.id }, 'configuration change could not be announced');
      return refuse(
        reply,
        'bus_unavailable',
        'the change is recorded and stored, but the services were not told: they apply it at their next start',
      );
    }
    changes.inc({ kind, outcome: 'recorded' });
    return r.change;
  };

  app.get(
    '/api/governance',
    {
      schema: {
        summary: 'Risk limits and strategy switches in force, lifecycles, and every configuration change',
        response: { 200: S.governance, 401: errorSchema },
      },
    },
    async () => {
      const strategies = await deps.config.switches();
      const named = new Set(Object.keys(strategies));
      for (const t of await deps.model.closedTrades()) if (t.strategy) named.add(t.strategy);
      const history = await deps.config.history(200);
      for (const c of history)
        if (c.kind === 'lifecycle' || c.kind === 'readiness_override') named.add(c.subject);
      return {
        riskLimits: await deps.config.riskLimits(),
        strategies,
        lifecycles: await deps.config.lifecycles([...named]),
        changes: history,
      };
    },
  );

  app.put<{ Body: { limits: Record<string, unknown>; reason: string } }>(
    '/api/config/risk-limits',
    {
      schema: {
        summary: 'Change risk limits (operator); the fields given replace those in force',
        body: {
          type: 'object',
          required: ['limits', 'reason'],
          additionalProperties: false,
          properties: { limits: { type: 'object', minProperties: 1 }, reason },
        },
        response: changeResponses,
      },
      preHandler: operatorOnly,
    },
    async (req, reply) => {
      const s = req.session as Session;
      return answer(
        'risk_limits',
        req,
        reply,
        await deps.config.setRiskLimits(req.body.limits, s.user, req.body.reason),
      );
    },
  );

  app.put<{ Params: { name: string }; Body: { enabled: boolean; reason: string } }>(
    '/api/config/strategies/:name',
    {
      schema: {
        summary: 'Turn a strategy on or off (operator)',
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 64 } },
        },
        body: {
          type: 'object',
          required: ['enabled', 'reason'],
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, reason },
        },
        response: changeResponses,
      },
      preHandler: operatorOnly,
    },
    async (req, reply) => {
      const s = req.session as Session;
      const r = await deps.config.setStrategy(req.params.name, req.body.enabled, s.user, req.body.reason);
      return answer('strategy_enabled', req, reply, r);
    },
  );
}
