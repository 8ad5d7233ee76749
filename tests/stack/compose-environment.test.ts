import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ballastServices, type Compose, exampleEnv, resolvedCompose, root } from './compose-config';
import { baseConfigSchema, type ObjectSchema, serviceConfigSchemas } from './config-schemas';

// Each container gets the variables it reads and no other: a service holding another's NATS password could
// publish what auth.conf keeps from it (signals on ord.cmd, anyone on control.resume with the CLI's), and
// only the services that touch the venue account hold its keys.

/** Each service's name defaults to its own; one SERVICE_NAME for all would name every one the same. */
const NOT_PASSED = new Set(['SERVICE_NAME']);

/** Secrets an operator sets beyond .env.example, each with a value found nowhere else. */
const OPERATOR_SECRETS = {
  EXCHANGE_API_KEY: 'test-exchange-key-7f3a',
  EXCHANGE_API_SECRET: 'test-exchange-secret-7f3a',
  TELEGRAM_BOT_TOKEN: 'test-bot-token-7f3a',
  ANTHROPIC_API_KEY: 'test-anthropic-key-7f3a',
  GEMINI_API_KEY: 'test-gemini-key-7f3a',
  OPENAI_COMPAT_API_KEY: 'test-openai-compat-key-7f3a',
  GATEWAY_USERS: 'test-gateway-users-7f3a',
};

/** The NATS users of infra/nats/auth.conf by the variable holding each one's password. */
const natsUsers: Record<string, string> = Object.fromEntries(
  [
    ...readFileSync(join(root, 'infra', 'nats', 'auth.conf'), 'utf8').matchAll(
      /user: "([a-z-]+)"\s+password: \$(NATS_PASSWORD_[A-Z_]+)/g,
    ),
  ].map((m) => [m[2] as string, m[1] as string]),
);

/** The containers whose environment holds `value`, in any variable. */
function holders(compose: Compose, value: string): string[] {
  return Object.entries(compose.services)
    .filter(([, s]) => Object.values(s.environment ?? {}).some((v) => v?.includes(value)))
    .map(([name]) => name)
    .sort();
}

describe('docker-compose.yml: each container gets only its own variables', () => {
  let compose: Compose;
  beforeAll(() => {
    compose = resolvedCompose(OPERATOR_SECRETS);
  });

  it('reads no .env whole into any container (no env_file)', () => {
    // `config` folds an env_file into each environment, so the file itself is read.
    expect(readFileSync(join(root, 'docker-compose.yml'), 'utf8')).not.toMatch(/^\s*env_file:/m);
  });

  it("passes each service every variable of its config schema, and nothing else (a secret's _FILE aside)", () => {
    expect(Object.keys(serviceConfigSchemas).sort()).toEqual([...ballastServices].sort());
    for (const name of ballastServices) {
      const shape = (serviceConfigSchemas[name] as ObjectSchema).shape;
      const wanted = [...Object.keys(baseConfigSchema.shape), ...Object.keys(shape)].filter(
        (k) => !NOT_PASSED.has(k),
      );
      const given = Object.keys(compose.services[name]?.environment ?? {});
      // A secret may come from a mounted file instead (the gateway's users: GATEWAY_USERS_FILE).
      expect(
        wanted.filter((k) => !given.includes(k) && !given.includes(`${k}_FILE`)),
        `${name}: variables of its config that .env could not set`,
      ).toEqual([]);
      expect(
        given.filter((k) => !wanted.includes(k) && !wanted.includes(k.replace(/_FILE$/, ''))),
        `${name}: variables it does not read`,
      ).toEqual([]);
    }
  });

  it("sets each service's variables to values its config accepts (resolved with .env.example)", () => {
    type Field = { safeParse: (v: unknown) => { success: boolean; error?: unknown } };
    for (const name of ballastServices) {
      const shape: Record<string, unknown> = {
        ...baseConfigSchema.shape,
        ...(serviceConfigSchemas[name] as ObjectSchema).shape,
      };
      for (const [key, value] of Object.entries(compose.services[name]?.environment ?? {})) {
        // The operator secrets here are stand-ins, not values of their format.
        if (value === null || !(key in shape) || key in OPERATOR_SECRETS) continue;
        const parsed = (shape[key] as Field).safeParse(value);
        expect(parsed.success, `${name}: ${key}=${value} ${String(parsed.error ?? '')}`).toBe(true);
      }
    }
  });

  it("gives each service no NATS password but its own, inside its NATS_URL; NATS gets every user's and nothing else", () => {
    expect(Object.keys(natsUsers).length).toBeGreaterThanOrEqual(ballastServices.length + 1);
    const env = exampleEnv();
    for (const [variable, user] of Object.entries(natsUsers)) {
      const password = env[variable] as string;
      expect(password, variable).toMatch(/^change-me-/);
      expect(holders(compose, password), variable).toEqual(
        ballastServices.includes(user) ? ['nats', user].sort() : ['nats'],
      );
    }
    for (const [name, s] of Object.entries(compose.services)) {
      const names = Object.keys(s.environment ?? {}).filter((k) => k.startsWith('NATS_PASSWORD_'));
      expect(names.sort(), name).toEqual(name === 'nats' ? Object.keys(natsUsers).sort() : []);
    }
    expect(Object.keys(compose.services.nats?.environment ?? {}).sort()).toEqual(
      Object.keys(natsUsers).sort(),
    );
  });

  it('gives the exchange keys only to risk, orders, stops and reconciliation, and each other secret only to its reader', () => {
    const expected: Record<keyof typeof OPERATOR_SECRETS, string[]> = {
      EXCHANGE_API_KEY: ['orders', 'reconciliation', 'risk', 'stops'],
      EXCHANGE_API_SECRET: ['orders', 'reconciliation', 'risk', 'stops'],
      TELEGRAM_BOT_TOKEN: ['telegram'],
      ANTHROPIC_API_KEY: ['signals'],
      GEMINI_API_KEY: ['signals'],
      OPENAI_COMPAT_API_KEY: ['signals'],
      // Read from the mounted secrets/gateway/users.json (GATEWAY_USERS_FILE), never from .env.
      GATEWAY_USERS: [],
    };
    for (const [variable, value] of Object.entries(OPERATOR_SECRETS))
      expect(holders(compose, value), variable).toEqual(expected[variable as keyof typeof OPERATOR_SECRETS]);
    for (const [name, s] of Object.entries(compose.services)) {
      const exchange = Object.keys(s.environment ?? {}).filter((k) => k.startsWith('EXCHANGE_API_'));
      const reads = ['orders', 'reconciliation', 'risk', 'stops'].includes(name);
      expect(exchange, name).toEqual(reads ? ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'] : []);
    }
  });

  it('gives the database password to the database and its clients only, and the Grafana password to Grafana', () => {
    const env = exampleEnv();
    expect(holders(compose, env.POSTGRES_PASSWORD as string)).toEqual(
      ['timescaledb', 'migrate', 'warm-up', ...ballastServices].sort(),
    );
    expect(holders(compose, env.GRAFANA_ADMIN_PASSWORD as string)).toEqual(['grafana']);
  });
});
