import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema } from './base-config';
import { ConfigError } from './config-error';
import { loadConfig, readConfig } from './load-config';
import { redactUrlPasswords } from './redactor';

const schema = baseConfigSchema.extend({
  EXCHANGE_API_KEY: z.string().min(16),
  EXCHANGE_API_SECRET: z.string().min(16),
  WEBHOOK_SIGNING: z.string().min(8),
});

const dir = mkdtempSync(join(tmpdir(), 'service-kit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the base defaults', () => {
    const config = loadConfig(baseConfigSchema, { SERVICE_NAME: 'feed' });
    expect(config).toEqual({
      SERVICE_NAME: 'feed',
      LOG_LEVEL: 'info',
      HTTP_PORT: 8080,
      HTTP_HOST: '127.0.0.1',
      NATS_STREAM_REPLICAS: 1,
      UPTIME_SAMPLE_MS: 60_000,
      SHUTDOWN_TIMEOUT_MS: 25_000,
      SOLE_PROCESS_RETRY_MS: 5_000,
    });
  });

  it('lists every bad variable at once, one per line, without any value', () => {
    const shortSecret = 'tooshort-Zq9';
    const err = configError(() =>
      loadConfig(schema, {
        SERVICE_NAME: 'feed',
        HTTP_PORT: 'eighty',
        LOG_LEVEL: 'loud',
        EXCHANGE_API_SECRET: shortSecret,
        WEBHOOK_SIGNING: 'longenough-value',
      }),
    );
    expect(err.reason).toBe('invalid_config');
    expect(err.problems.map((p) => [p.variable, p.reason])).toEqual([
      ['LOG_LEVEL', 'invalid'],
      ['HTTP_PORT', 'invalid'],
      ['EXCHANGE_API_KEY', 'missing'],
      ['EXCHANGE_API_SECRET', 'invalid'],
    ]);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('invalid configuration (4 problems):');
    expect(lines.slice(1)).toEqual([
      '  LOG_LEVEL: invalid (Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent")',
      '  HTTP_PORT: invalid (Invalid input: expected number, received NaN)',
      '  EXCHANGE_API_KEY: missing (Invalid input: expected string, received undefined)',
      '  EXCHANGE_API_SECRET: invalid (Too small: expected string to have >=16 characters)',
    ]);
    expect(err.message).not.toContain(shortSecret);
    expect(err.message).not.toContain('eighty');
  });

  it('redacts a secret value that a custom message echoes', () => {
    const leaky = z.object({
      SERVICE_TOKEN: z.string().superRefine((v, ctx) => {
        if (!v.startsWith('tok_')) ctx.addIssue({ code: 'custom', message: `bad token ${v}` });
      }),
    });
    const err = configError(() => loadConfig(leaky, { SERVICE_TOKEN: 'xyz-secret-123' }));
    expect(err.message).toBe(
      'invalid configuration (1 problem):\n  SERVICE_TOKEN: invalid (bad token [REDACTED])',
    );
  });

  it('reads a secret from NAME_FILE and treats it as secret', () => {
    const path = join(dir, 'api_key');
    writeFileSync(path, 'file-supplied-key-0123456789\n');
    const { config, secrets } = readConfig(
      schema,
      {
        SERVICE_NAME: 'feed',
        EXCHANGE_API_KEY_FILE: path,
        EXCHANGE_API_SECRET: 's'.repeat(20),
        WEBHOOK_SIGNING: 'sig-value-1',
      },
      { secret: ['WEBHOOK_SIGNING'] },
    );
    expect(config.EXCHANGE_API_KEY).toBe('file-supplied-key-0123456789');
    expect(secrets).toEqual(
      expect.arrayContaining(['file-supplied-key-0123456789', 's'.repeat(20), 'sig-value-1']),
    );
  });

  it('reports an unreadable NAME_FILE and a NAME set twice, alongside schema problems', () => {
    const err = configError(() =>
      loadConfig(schema, {
        SERVICE_NAME: 'feed',
        EXCHANGE_API_KEY_FILE: join(dir, 'does-not-exist'),
        EXCHANGE_API_SECRET: 'x'.repeat(20),
        EXCHANGE_API_SECRET_FILE: join(dir, 'api_key'),
      }),
    );
    expect(err.problems.map((p) => [p.variable, p.reason])).toEqual([
      ['EXCHANGE_API_KEY_FILE', 'unreadable_file'],
      ['EXCHANGE_API_SECRET', 'conflicting_file'],
      ['EXCHANGE_API_KEY', 'missing'],
      ['WEBHOOK_SIGNING', 'missing'],
    ]);
    expect(err.message).not.toContain('x'.repeat(20));
  });

  it('collects the password of a URL as a secret, raw and decoded', () => {
    const { secrets } = readConfig(baseConfigSchema, {
      SERVICE_NAME: 'feed',
      DATABASE_URL: 'postgres://ballast:p%40ss-w0rd@db:5432/ballast',
    });
    expect(secrets).toEqual(['p%40ss-w0rd', 'p@ss-w0rd']);
  });

  it('collects the token of a nats://token@host URL as a secret, and the redactor masks it in any NATS URL', () => {
    const { secrets } = readConfig(baseConfigSchema, {
      SERVICE_NAME: 'feed',
      NATS_URL: 'nats://s3cr3t-T0ken@nats-a:4222,nats://user:pw-1@nats-b:4222',
    });
    expect(secrets).toContain('s3cr3t-T0ken');
    expect(secrets).toContain('pw-1');
    expect(redactUrlPasswords('connect nats://other-T0ken@n:4222 and tls://t2@n:4443 failed')).toBe(
      'connect nats://[REDACTED]@n:4222 and tls://[REDACTED]@n:4443 failed',
    );
    // A database URL's user alone is no secret.
    expect(redactUrlPasswords('postgres://ballast@db:5432/ballast')).toBe(
      'postgres://ballast@db:5432/ballast',
    );
  });

  it('collects a URL password given as ?password= as a secret, and the redactor masks it in any URL', () => {
    const { secrets } = readConfig(baseConfigSchema, {
      SERVICE_NAME: 'feed',
      DATABASE_URL: 'postgres://ballast@db:5432/ballast?password=hunter2-s3cret&sslmode=require',
    });
    expect(secrets).toEqual(['hunter2-s3cret']);
    expect(redactUrlPasswords('connect to postgres://u@h/db?sslmode=require&password=other-pw failed')).toBe(
      'connect to postgres://u@h/db?sslmode=require&password=[REDACTED] failed',
    );
  });
});
