import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildHttpServer } from './http-server';
import { LastErrorRecorder } from './last-error';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const recorder = new LastErrorRecorder({ write: (line: string) => lines.push(line) });
  const log = createLogger({ service: 't', destination: recorder, secrets: ['hunter2-secret'] });
  return { lines, recorder, log };
}

describe('LastErrorRecorder', () => {
  it('passes every line on and keeps the last error or fatal line, redacted', () => {
    const { lines, recorder, log } = capture();
    log.info('fine');
    log.warn('careful');
    expect(recorder.get()).toBeUndefined();
    log.error({ err: new Error('token hunter2-secret refused') }, 'exchange call failed');
    log.info('later');
    expect(lines).toHaveLength(4);
    expect(recorder.get()?.message).toBe('exchange call failed: token [REDACTED] refused');
    expect(recorder.get()?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    log.fatal('cannot continue');
    expect(recorder.get()?.message).toBe('cannot continue');
  });

  it('is reported by /readyz beside readiness', async () => {
    const { recorder, log } = capture();
    const app = buildHttpServer({
      registry: new Registry(),
      readiness: [{ name: 'service', check: () => true }],
      log,
      lastError: () => recorder.get(),
    });
    const before = (await app.inject({ url: '/readyz' })).json();
    expect(before).toEqual({ status: 'ready', failing: [], checks: { service: { ok: true } } });
    log.error('bus reconnecting');
    const after = (await app.inject({ url: '/readyz' })).json();
    expect(after.lastError.message).toBe('bus reconnecting');
    await app.close();
  });
});
