import { existsSync } from 'node:fs';

/**
 * Where the integration tests find their servers: NATS_URL / DATABASE_URL when set,
 * else a container when a Docker engine exists, else a loud failure. Never a silent skip.
 */
function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

function missing(what: string, variable: string, example: string): Error {
  return new Error(
    `${what} is required for integration tests: set ${variable} (e.g. ${variable}=${example}) ` +
      'or run a Docker engine so testcontainers can start one. Tests are never skipped.',
  );
}

let natsContainerUrl: Promise<string> | undefined;
let pgContainerUrl: Promise<string> | undefined;

export async function natsUrl(): Promise<string> {
  const fromEnv = process.env.NATS_URL;
  if (fromEnv) return fromEnv;
  if (!dockerAvailable()) throw missing('NATS with JetStream', 'NATS_URL', 'nats://127.0.0.1:4222');
  natsContainerUrl ??= (async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('nats:2.10-alpine')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    return `nats://${c.getHost()}:${c.getMappedPort(4222)}`;
  })();
  return natsContainerUrl;
}

export async function databaseUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  if (!dockerAvailable())
    throw missing('PostgreSQL', 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/test');
  pgContainerUrl ??= (async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('timescale/timescaledb:latest-pg16')
      .withEnvironment({ POSTGRES_PASSWORD: 'test', POSTGRES_DB: 'test' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    return `postgres://postgres:test@${c.getHost()}:${c.getMappedPort(5432)}/test`;
  })();
  return pgContainerUrl;
}
