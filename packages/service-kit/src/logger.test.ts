import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

const API_KEY = 'AKIA-live-9f8e7d6c5b4a';
const API_SECRET = 'sec/ret+with"quote\\and-slash';
const DB_PASSWORD = 'pg-pa55:w@rd';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

function logsWith(secrets: string[]) {
  const out = capture();
  const log = createLogger({ service: 'test', level: 'debug', secrets, destination: out.destination });
  return { log, out };
}

describe('createLogger', () => {
  const secrets = [API_KEY, API_SECRET, DB_PASSWORD];

  it('writes JSON lines carrying the service name', () => {
    const { log, out } = logsWith([]);
    log.info({ symbol: 'BTCUSDT' }, 'hello');
    const line = JSON.parse(out.lines[0] ?? '');
    expect(line).toMatchObject({ service: 'test', level: 30, msg: 'hello', symbol: 'BTCUSDT' });
  });

  it('never writes a secret value, whether in fields, errors, messages or URLs', () => {
    const { log, out } = logsWith(secrets);
    log.info(
      { request: { headers: { Authorization: `Bearer ${API_KEY}`, 'x-api-key': API_KEY } } },
      'fields',
    );
    log.info({ venue: { credentials: { apiKey: API_KEY, secret: API_SECRET } } }, 'nested');
    log.info({ note: `signed with ${API_SECRET}`, list: [{ deeper: [`key=${API_KEY}`] }] }, 'free text');
    log.error({ err: new Error(`401 from venue for key ${API_KEY}`) }, 'venue failed');
    log.error(new Error(`cannot connect to postgres://ballast:${DB_PASSWORD}@db:5432/ballast`));
    log.warn(`reconnecting to postgres://ballast:${encodeURIComponent(DB_PASSWORD)}@db/ballast`);
    log.info({ url: new URL(`postgres://u:${encodeURIComponent(DB_PASSWORD)}@db/x`) }, 'url object');
    log.child({ apiKey: API_KEY }).info('child bindings');
    const output = out.lines.join('');
    expect(out.lines).toHaveLength(8);
    for (const secret of secrets) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(output).not.toContain(encodeURIComponent(secret));
    }
    expect(output).toContain('[REDACTED]');
  });

  it('censors secret-named fields even when their values are not known secrets', () => {
    const { log, out } = logsWith([]);
    log.info(
      { a: { b: { c: { password: 'hunter2', passphrase: 'p', cookie: 'c', signature: 's', ok: 1 } } } },
      'x',
    );
    const line = JSON.parse(out.lines[0] ?? '');
    expect(line.a.b.c).toEqual({
      password: '[REDACTED]',
      passphrase: '[REDACTED]',
      cookie: '[REDACTED]',
      signature: '[REDACTED]',
      ok: 1,
    });
  });

  it('logs an error with its message and stack, the secret replaced in both', () => {
    const { log, out } = logsWith([API_KEY]);
    log.error({ err: new Error(`bad key ${API_KEY}`) }, 'failed');
    const line = JSON.parse(out.lines[0] ?? '');
    expect(line.err.type).toBe('Error');
    expect(line.err.message).toBe('bad key [REDACTED]');
    expect(line.err.stack).toContain('Error: bad key [REDACTED]');
  });

  it('survives circular objects', () => {
    const { log, out } = logsWith([]);
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    log.info({ loop }, 'circular');
    expect(JSON.parse(out.lines[0] ?? '').loop).toEqual({ name: 'loop', self: '[Circular or too deep]' });
  });
});
