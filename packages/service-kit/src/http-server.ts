import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { LastError } from './last-error';
import type { Logger } from './logger';
import { evaluateReadiness, type ReadinessCheck } from './readiness';
import { type Redactor, redactUrlPasswords } from './redactor';

export interface HttpServerOptions {
  registry: Registry;
  /** Read on every request, so checks added after the server is built count too. */
  readiness: readonly ReadinessCheck[];
  log: Logger;
  /** Scrubs failing checks' error text; defaults to URL passwords only. */
  redact?: Redactor;
  /** The last error the service logged (already redacted), reported beside readiness. */
  lastError?: () => LastError | undefined;
}

// Response schemas: fastify serialises only these fields, so nothing else can leak out.
const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    failing: { type: 'array', items: { type: 'string' } },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { ok: { type: 'boolean' }, error: { type: 'string' } },
      },
    },
    lastError: {
      type: 'object',
      properties: { message: { type: 'string' }, at: { type: 'string' } },
    },
  },
} as const;

const aliveSchema = { type: 'object', properties: { status: { type: 'string' } } } as const;

/** Health and metrics endpoints, built apart from listening so tests use `inject`. */
export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', { schema: { response: { 200: aliveSchema } } }, async () => ({ status: 'alive' }));
  app.get(
    '/readyz',
    { schema: { response: { 200: readySchema, 503: readySchema } } },
    async (_req, reply) => {
      const report = await evaluateReadiness(options.readiness, options.redact ?? redactUrlPasswords);
      if (!report.ready) options.log.warn({ failing: report.failing, checks: report.checks }, 'not ready');
      return reply
        .code(report.ready ? 200 : 503)
        .send({ status: report.ready ? 'ready' : 'not_ready', ...report, lastError: options.lastError?.() });
    },
  );
  app.get('/metrics', async (_req, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
  app.setErrorHandler((err, _req, reply) => {
    options.log.error({ err }, 'http handler failed');
    return reply.code(500).send({ error: 'internal_error' });
  });
  return app;
}
