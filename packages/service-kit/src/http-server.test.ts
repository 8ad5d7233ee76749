import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpServer } from './http-server';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics-registry';
import { PromBusObserver } from './prom-bus-observer';
import type { ReadinessCheck } from './readiness';
import { createRedactor } from './redactor';

const DB_PASSWORD = 'readyz-pa55word';
const lines: string[] = [];
const log = createLogger({
  service: 'test',
  secrets: [DB_PASSWORD],
  destination: { write: (l) => lines.push(l) },
});
let app: FastifyInstance | undefined;

function server(readiness: ReadinessCheck[]) {
  const registry = createMetricsRegistry();
  app = buildHttpServer({ registry, readiness, log, redact: createRedactor([DB_PASSWORD]) });
  return { app, registry };
}

afterEach(async () => {
  await app?.close();
  lines.length = 0;
});

describe('buildHttpServer', () => {
  it('answers /healthz with 200 while the process is alive', async () => {
    const res = await server([]).app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'alive' });
  });

  it('answers /readyz with 200 and every check when all pass', async () => {
    const { app } = server([
      { name: 'bus', check: () => true },
      { name: 'database', check: async () => true },
    ]);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      failing: [],
      checks: { bus: { ok: true }, database: { ok: true } },
    });
  });

  it('answers /readyz with 503 listing the failing checks, a throwing check redacted', async () => {
    const { app } = server([
      { name: 'bus', check: () => false },
      {
        name: 'database',
        check: async () => {
          throw new Error(`connect ECONNREFUSED postgres://ballast:${DB_PASSWORD}@db:5432/ballast`);
        },
      },
      { name: 'service', check: () => true },
    ]);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'not_ready',
      failing: ['bus', 'database'],
      checks: {
        bus: { ok: false },
        database: { ok: false, error: 'connect ECONNREFUSED postgres://ballast:[REDACTED]@db:5432/ballast' },
        service: { ok: true },
      },
    });
    expect(res.body).not.toContain(DB_PASSWORD);
    expect(lines.join('')).toContain('"msg":"not ready"');
    expect(lines.join('')).not.toContain(DB_PASSWORD);
  });

  it('serves default and bus metrics in Prometheus text after the observer records', async () => {
    const { app, registry } = server([]);
    const observer = new PromBusObserver(registry);
    observer.message({ family: 'md.candle', direction: 'in', outcome: 'ok' });
    observer.message({ family: 'md.candle', direction: 'in', outcome: 'ok' });
    observer.message({ family: 'orders.intent', direction: 'out', outcome: 'ok' });
    observer.handled({ family: 'md.candle', seconds: 0.003, outcome: 'ok' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('# HELP ballast_bus_messages_total ');
    expect(text).toContain('ballast_bus_messages_total{subject="md.candle",direction="in",outcome="ok"} 2');
    expect(text).toContain(
      'ballast_bus_messages_total{subject="orders.intent",direction="out",outcome="ok"} 1',
    );
    expect(text).toContain('# TYPE ballast_bus_handler_duration_seconds histogram');
    expect(text).toContain(
      'ballast_bus_handler_duration_seconds_bucket{le="0.005",subject="md.candle",outcome="ok"} 1',
    );
    expect(text).toContain(
      'ballast_bus_handler_duration_seconds_bucket{le="0.001",subject="md.candle",outcome="ok"} 0',
    );
    expect(text).toContain('ballast_bus_handler_duration_seconds_count{subject="md.candle",outcome="ok"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});
