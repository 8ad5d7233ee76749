import type { Bus } from '@ballast/bus';
import {
  type Clock,
  derivedUuid,
  type IdGenerator,
  resumeCommand,
  Subjects,
  subject,
} from '@ballast/contracts';
import type { Logger } from '@ballast/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { errorSchema, refuse } from '../api/api-error';
import { requireRole } from '../auth/auth-plugin';
import type { Session } from '../auth/sessions';
import type { LiveState } from '../live/live-state';
import {
  CONTROL_ACTIONS,
  CONTROL_OUTCOMES,
  type ControlActionKind,
  type ControlLog,
  type ControlOutcome,
} from './control-log';

export interface ControlDeps {
  bus: Bus;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  metrics: Registry;
  controlLog: ControlLog;
  live: LiveState;
}

const commandResponse = {
  type: 'object',
  required: ['commandId'],
  properties: {
    commandId: { type: 'string' },
    // The command is on the bus; only the gateway's own record of who asked could not be written.
    audit: { type: 'string', enum: ['not stored'] },
  },
} as const;

const killBody = {
  type: 'object',
  required: ['flatten', 'reason'],
  additionalProperties: false,
  properties: { flatten: { type: 'boolean' }, reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

const resumeBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    // As `ballast resume --clear-drawdown`: also lifts a max-drawdown halt (ADR 12).
    clearDrawdown: { type: 'boolean' },
  },
} as const;

/**
 * An optional `Idempotency-Key` header: a client retrying a kill or resume whose answer it lost sends the
 * same key, and gets the same command id back instead of a second command (a second flatten).
 */
const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const controlResponses = { 200: commandResponse, 401: errorSchema, 403: errorSchema, 503: errorSchema };

/**
 * Kill and resume, for operators only, published on the bus as the CLI publishes them
 * (`requestedBy` names the gateway user); every attempt is recorded, refused ones included.
 */
export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  const actions = new Counter({
    name: 'ballast_gateway_control_actions_total',
    help: 'Kill and resume requests by action and outcome',
    labelNames: ['action', 'outcome'],
    registers: [deps.metrics],
  });
  const auditFailures = new Counter({
    name: 'ballast_gateway_control_audit_failures_total',
    help: 'Kill and resume requests whose record in control_actions could not be written, by action',
    labelNames: ['action'],
    registers: [deps.metrics],
  });
  // Born at 0, so panels and rates over them exist before the first request.
  for (const action of CONTROL_ACTIONS) {
    auditFailures.inc({ action }, 0);
    for (const outcome of CONTROL_OUTCOMES) actions.inc({ action, outcome }, 0);
  }

  /**
   * Logs, counts and stores the attempt; false when the store failed. A failed store never changes
   * the answer: a command already published is in force, and a client told 500 would publish it again.
   */
  const record = async (
    req: FastifyRequest,
    action: ControlActionKind,
    outcome: ControlOutcome,
    body: { flatten?: boolean; reason?: string },
    commandId: string | null,
  ): Promise<boolean> => {
    const s = req.session as Session;
    actions.inc({ action, outcome });
    deps.log.info({ action, outcome, user: s.user, role: s.role, commandId }, 'control action');
    try {
      await deps.controlLog.record({
        id: deps.ids(),
        action,
        actor: s.user,
        role: s.role,
        outcome,
        flatten: body.flatten ?? false,
        reason: body.reason ?? '',
        commandId,
        remoteAddress: req.ip,
        at: deps.clock.now(),
      });
      return true;
    } catch (err) {
      auditFailures.inc({ action });
      deps.log.error({ err, action, outcome, user: s.user, commandId }, 'control action not recorded');
      return false;
    }
  };
  /** The answer to a published command, saying so when its record is missing. */
  const published = (commandId: string, stored: boolean) =>
    stored ? { commandId } : { commandId, audit: 'not stored' as const };

  /**
   * The command id of a request: derived from its idempotency key (per action, user and body, so one
   * user's key never names another's command, and a key reused with another body, a flatten after a
   * kill without, is that other command), else fresh; `repeat` when that keyed command was already
   * published, which is then answered as it was, neither published nor recorded again.
   */
  const commandFor = async (
    req: FastifyRequest,
    action: ControlActionKind,
  ): Promise<{ commandId: string; repeat: boolean }> => {
    const key = (req.headers as { 'idempotency-key'?: string })['idempotency-key'];
    if (key === undefined) return { commandId: deps.ids(), repeat: false };
    const body = JSON.stringify(req.body ?? null);
    const commandId = derivedUuid('gateway-control', action, (req.session as Session).user, key, body);
    return { commandId, repeat: await deps.controlLog.wasPublished(commandId) };
  };

  const refused = (action: ControlActionKind) => async (req: FastifyRequest) => {
    await record(req, action, 'refused', (req.body ?? {}) as { flatten?: boolean; reason?: string }, null);
  };

  app.post<{ Body: { flatten: boolean; reason: string } }>(
    '/api/control/kill',
    {
      schema: {
        summary: 'Engage the kill switch (operator)',
        headers: idempotencyHeaders,
        body: killBody,
        response: controlResponses,
      },
      preHandler: requireRole('operator', refused('kill')),
    },
    async (req, reply) => {
      const s = req.session as Session;
      const { commandId, repeat } = await commandFor(req, 'kill');
      if (repeat) return published(commandId, true);
      const payload = {
        flatten: req.body.flatten,
        reason: req.body.reason,
        requestedBy: `gateway:${s.user}`,
      };
      try {
        await deps.bus.publish(subject(Subjects.kill, {}), payload, { id: commandId });
      } catch (err) {
        deps.log.error({ err }, 'kill could not be published');
        await record(req, 'kill', 'failed', req.body, null);
        return refuse(reply, 'bus_unavailable', 'the kill command could not be published; use the CLI');
      }
      return published(commandId, await record(req, 'kill', 'published', req.body, commandId));
    },
  );

  app.post<{ Body: { reason: string; clearDrawdown?: boolean } }>(
    '/api/control/resume',
    {
      schema: {
        summary: 'Lift the kill switch, and with clearDrawdown the max-drawdown halt (operator)',
        headers: idempotencyHeaders,
        body: resumeBody,
        response: controlResponses,
      },
      preHandler: requireRole('operator', refused('resume')),
    },
    async (req, reply) => {
      const s = req.session as Session;
      const { commandId, repeat } = await commandFor(req, 'resume');
      if (repeat) return published(commandId, true);
      const payload = resumeCommand({
        reason: req.body.reason,
        requestedBy: `gateway:${s.user}`,
        clearDrawdown: req.body.clearDrawdown,
      });
      try {
        await deps.bus.publish(subject(Subjects.resume, {}), payload, { id: commandId });
      } catch (err) {
        deps.log.error({ err }, 'resume could not be published');
        await record(req, 'resume', 'failed', req.body, null);
        return refuse(reply, 'bus_unavailable', 'the resume command could not be published');
      }
      return published(commandId, await record(req, 'resume', 'published', req.body, commandId));
    },
  );
}
