import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '@ballast/contracts';
import type { ChildSpec } from './supervisor';

/**
 * The environment the services start with: the local NATS unless NATS_URL, or NATS_URL_FILE (a secret
 * file), names one; never both, which every service refuses as conflicting. With the Prometheus `up`
 * runs on `prometheusPort`, the Telegram bot relays its alerts unless told another.
 */
export function childEnvironment(
  env: NodeJS.ProcessEnv,
  defaultNatsUrl: string,
  prometheusPort: number | null = null,
): NodeJS.ProcessEnv {
  const out = { ...env };
  if (!env.NATS_URL && !env.NATS_URL_FILE) out.NATS_URL = defaultNatsUrl;
  if (prometheusPort !== null && !env.TELEGRAM_PROMETHEUS_URL)
    out.TELEGRAM_PROMETHEUS_URL = `http://127.0.0.1:${prometheusPort}`;
  return out;
}

/** Start order: the contracts' service list runs producers before their consumers (the CLI is not a service). */
export const SERVICE_ORDER: readonly string[] = SERVICES.filter((name) => name !== 'cli');

/** Services present in this checkout (a `services/<name>/src/main.ts`), in start order. */
export function detectServices(repoRoot: string): string[] {
  const dir = join(repoRoot, 'services');
  const present = readdirSync(dir).filter((name) => existsSync(serviceMain(repoRoot, name)));
  const rank = (name: string) => {
    const i = SERVICE_ORDER.indexOf(name);
    return i === -1 ? SERVICE_ORDER.length : i;
  };
  return present.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function serviceMain(repoRoot: string, name: string): string {
  return join(repoRoot, 'services', name, 'src', 'main.ts');
}

/** Picks the requested services (all detected when none are named); an unknown name is an error. */
export function selectServices(detected: readonly string[], requested: readonly string[]): string[] {
  if (requested.length === 0) return [...detected];
  const unknown = requested.filter((name) => !detected.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown service(s): ${unknown.join(', ')} (present: ${detected.join(', ')})`);
  return detected.filter((name) => requested.includes(name));
}

/** Why an optional service is left out under this environment, or null when it may run. */
const OPTIONAL_SERVICES: Record<string, (env: NodeJS.ProcessEnv) => string | null> = {
  // It reads a venue account; a paper account lives inside the orders process, and reconciling the real
  // account against it would "repair" the paper positions to the venue's.
  reconciliation: (env) =>
    env.ORDERS_VENUE_KIND === 'ccxt' && (env.EXCHANGE_API_KEY || env.EXCHANGE_API_KEY_FILE)
      ? null
      : 'runs with ORDERS_VENUE_KIND=ccxt and EXCHANGE_API_KEY (or _FILE): paper accounts live in orders',
  gateway: (env) =>
    env.GATEWAY_USERS || env.GATEWAY_USERS_FILE ? null : 'set GATEWAY_USERS or GATEWAY_USERS_FILE to run it',
  telegram: (env) =>
    env.TELEGRAM_BOT_TOKEN || env.TELEGRAM_BOT_TOKEN_FILE
      ? null
      : 'set TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE to run it',
};

/**
 * Drops the optional services this environment cannot run (the operator surfaces without their
 * credentials, reconciliation without a live venue account), unless they were asked for by name: then
 * their own configuration says what is missing.
 */
export function configuredServices(
  names: readonly string[],
  requested: readonly string[],
  env: NodeJS.ProcessEnv,
): { start: string[]; skipped: Array<{ name: string; reason: string }> } {
  const skipped: Array<{ name: string; reason: string }> = [];
  const start = names.filter((name) => {
    const reason = requested.includes(name) ? null : (OPTIONAL_SERVICES[name]?.(env) ?? null);
    if (reason !== null) skipped.push({ name, reason });
    return reason === null;
  });
  return { start, skipped };
}

export interface ServiceSpecInputs {
  readonly repoRoot: string;
  readonly names: readonly string[];
  /** Service i serves health and metrics on basePort + i. */
  readonly basePort: number;
  readonly env: NodeJS.ProcessEnv;
  /** Extra modules each service preloads after tsx (`node --import`), e.g. a test's replay clock. */
  readonly imports?: readonly string[];
}

/** One child per service: `node --import tsx services/<name>/src/main.ts`, so the pid is the service's own. */
export function serviceSpecs(inputs: ServiceSpecInputs): ChildSpec[] {
  const imports = ['tsx', ...(inputs.imports ?? [])].flatMap((m) => ['--import', m]);
  return inputs.names.map((name, i) => {
    const port = inputs.basePort + i;
    return {
      name,
      command: process.execPath,
      args: [...imports, serviceMain(inputs.repoRoot, name)],
      cwd: inputs.repoRoot,
      env: { ...inputs.env, SERVICE_NAME: name, HTTP_PORT: String(port) },
      port,
    };
  });
}
