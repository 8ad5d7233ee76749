import { createLogger } from '@ballast/service-kit';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { handleGatewayError } from './api-error';

/** A bare Fastify with the gateway's error handler and routes that fail as Fastify and plugins do. */
async function appFailingWith(status: number) {
  const lines: string[] = [];
  const app = Fastify({ logger: false });
  app.setErrorHandler(
    handleGatewayError(createLogger({ service: 'test', destination: { write: (l) => lines.push(l) } })),
  );
  app.get('/fail', async () => {
    throw Object.assign(new Error(`refused with ${status}`), { statusCode: status });
  });
  await app.ready();
  return { app, lines };
}

describe('handleGatewayError', () => {
  it('keeps the status of a 405 and a 406 with a typed code, not a 400 bad_request', async () => {
    for (const [status, error] of [
      [405, 'method_not_allowed'],
      [406, 'not_acceptable'],
    ] as const) {
      const { app } = await appFailingWith(status);
      const res = await app.inject({ method: 'GET', url: '/fail' });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error, message: `refused with ${status}` });
      await app.close();
    }
  });

  it('sends a 4xx with no code of its own with its status as client_error, and logs no failure', async () => {
    const { app, lines } = await appFailingWith(418);
    const res = await app.inject({ method: 'GET', url: '/fail' });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ error: 'client_error', message: 'refused with 418' });
    expect(lines).toEqual([]);
    await app.close();
  });

  it('answers a handler failure with a bare 500 and logs it', async () => {
    const { app, lines } = await appFailingWith(500);
    const res = await app.inject({ method: 'GET', url: '/fail' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error', message: 'internal error' });
    expect(lines.join('')).toContain('gateway handler failed');
    await app.close();
  });
});
