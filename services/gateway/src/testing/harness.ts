import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import type { Candle } from '@ballast/contracts';
import { createDb, type Database, migrate } from '@ballast/db';
import { createLogger, createMetricsRegistry, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import { createTestDatabase, natsUrl, recordedKlines, uniqueName } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { hashPassword } from '../auth/password';
import { type GatewayConfig, gatewayConfigSchema } from '../config';
import { deleteDurables } from '../durables';
import { type Gateway, startGateway } from '../service';

export const PASSWORDS = { op: 'operator-pass-0123', view: 'viewer-pass-4567' } as const;

/** Real Binance 4h BTC/USDT candles from the shared data, for prices on the bus. */
export function recordedBtcCandles(count: number): Candle[] {
  return recordedCandles('BTCUSDT', count);
}

/** Real Binance 4h candles of `pair` (e.g. ETHUSDT) from the shared data, oldest first. */
export function recordedCandles(pair: string, count: number): Candle[] {
  return recordedKlines(pair, '4h', count);
}

export interface Harness {
  gateway: Gateway;
  db: Kysely<Database>;
  /** Publishes as the trading services would (source `orders`). */
  publisher: NatsBus;
  /** Every log line the gateway wrote. */
  logLines: string[];
  config: GatewayConfig;
  hashes: Record<keyof typeof PASSWORDS, string>;
  /** The registry the gateway's metrics are on. */
  metrics: Registry;
  close(): Promise<void>;
}

/** A gateway on real NATS (own prefix) and PostgreSQL (own database), with an operator and a viewer. */
export async function startHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase(label);
  const handle = await createDb({ url: database.url, poolSize: 4 });
  await migrate(handle.db);
  const servers = await natsUrl();
  const prefix = `${uniqueName(label)}.`;
  const clock = new SystemClock();
  const hashes = { op: await hashPassword(PASSWORDS.op), view: await hashPassword(PASSWORDS.view) };
  const users = [
    { name: 'olivia', role: 'operator', scryptHash: hashes.op },
    { name: 'victor', role: 'viewer', scryptHash: hashes.view },
  ];
  const config = gatewayConfigSchema.parse({
    GATEWAY_USERS: JSON.stringify(users),
    GATEWAY_PORT: '0',
    ...env,
  });
  const logLines: string[] = [];
  const log = createLogger({
    service: 'gateway',
    level: 'debug',
    destination: { write: (l) => logLines.push(l) },
  });
  const bus = await NatsBus.connect({ servers, prefix, source: 'gateway', clock });
  await bus.ensureStreams();
  const metrics = createMetricsRegistry();
  const publisher = await NatsBus.connect({ servers, prefix, source: 'orders', clock });
  const gateway = await startGateway({
    bus,
    db: handle.db,
    clock,
    ids: uuidv7Ids(clock),
    config,
    log,
    metrics,
    forgetDurables: (names) => deleteDurables(servers, bus, names),
  });
  return {
    gateway,
    db: handle.db,
    publisher,
    logLines,
    config,
    hashes,
    metrics,
    async close() {
      await gateway[Symbol.asyncDispose]();
      await publisher.drain();
      await bus.drain();
      await handle.db.destroy();
      await deleteStreamsAt(servers, bus.naming);
      await database.drop();
    },
  };
}

export interface Login {
  cookie: string;
  csrfToken: string;
  role: string;
}

/** Logs in over HTTP like a browser; returns the cookie to send back and the CSRF token. */
export async function login(url: string, user: string, password: string): Promise<Login> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${user} answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; role: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, csrfToken: body.csrfToken, role: body.role };
}
