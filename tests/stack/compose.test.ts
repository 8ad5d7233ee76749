import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configuredServices } from '../../packages/cli/src/commands/up-services';
import { requiresRecon } from '../../services/risk/src/config';
import {
  ballastServices,
  type Compose,
  type ComposeService,
  dockerCompose,
  exampleEnv,
  resolvedCompose,
  root,
} from './compose-config';

// No Docker engine runs on this machine: these tests validate docker-compose.yml with Debian's
// docker-compose 1.29 (`config` parses, interpolates and checks the schema without an engine) and read the
// Dockerfile. Building the images and starting the containers is NOT exercised here.

const INFRA = ['nats', 'nats-exporter', 'timescaledb', 'migrate', 'warm-up', 'prometheus', 'grafana'];

const volumeTargets = (s: ComposeService) =>
  (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
const volumeSources = (s: ComposeService) =>
  (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : (v.source ?? '')));

describe('docker-compose.yml (validated by docker-compose 1.29 without a Docker engine)', () => {
  let compose: Compose;
  beforeAll(() => {
    compose = resolvedCompose();
  });

  it('is valid for the Compose v1 parser with the documented .env.example (config -q)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-compose-q-'));
    copyFileSync(join(root, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
    copyFileSync(join(root, '.env.example'), join(dir, '.env'));
    expect(() =>
      execFileSync(dockerCompose(), ['-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: dir,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it('refuses to resolve without the passwords (no default password is baked in)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-compose-nopw-'));
    copyFileSync(join(root, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
    mkdirSync(join(dir, 'empty'));
    const run = () =>
      execFileSync(dockerCompose(), ['-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: dir,
        stdio: 'pipe',
        env: { PATH: process.env.PATH ?? '' },
      });
    expect(run).toThrow(/set [A-Z_]*PASSWORD[A-Z_]* in \.env/);
  });

  it('has the infrastructure and every Ballast service present in services/', () => {
    expect(ballastServices.length).toBeGreaterThanOrEqual(6);
    const missing = ballastServices.filter((name) => !(name in compose.services));
    expect(
      missing,
      'services/<name> without an entry in docker-compose.yml (give it one, and a NATS user)',
    ).toEqual([]);
    expect(Object.keys(compose.services).sort()).toEqual([...INFRA, ...ballastServices].sort());
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'grafana-data',
      'nats-data',
      'pg-data',
      'prometheus-data',
    ]);
  });

  it('builds every service from the one Dockerfile, checks /readyz, restarts it, starts it after NATS, the database and the migrations', () => {
    for (const name of ballastServices.filter((n) => n in compose.services)) {
      const s = compose.services[name] as ComposeService;
      expect(s.build, name).toEqual({
        context: expect.any(String),
        args: { PACKAGE: `@ballast/${name}-service` },
      });
      expect(s.restart, name).toBe('unless-stopped');
      expect(s.healthcheck?.test?.join(' '), name).toContain('/readyz');
      expect(s.depends_on, name).toEqual({
        nats: { condition: 'service_healthy' },
        timescaledb: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
        // Features replays the stored history at start: it waits for the warm-up to fill it.
        ...(name === 'features' ? { 'warm-up': { condition: 'service_completed_successfully' } } : {}),
      });
      expect(s.environment?.HTTP_PORT, name).toBe('8080');
      expect(s.environment?.DATABASE_URL, name).toMatch(
        /^postgres:\/\/ballast:.+@timescaledb:5432\/ballast$/,
      );
      // Each service connects as its own NATS user (permissions in infra/nats/auth.conf).
      expect(s.environment?.NATS_URL, name).toMatch(new RegExp(`^nats://${name}:.+@nats:4222$`));
    }
  });

  it('starts reconciliation only under the `live` profile, as `ballast up` does for a paper account; risk waits for it on a live account only', () => {
    const env = exampleEnv();
    expect(env.ORDERS_VENUE_KIND).toBe('paper');
    // `ballast up` with the documented .env leaves reconciliation out: the paper account lives in orders.
    const { skipped } = configuredServices(ballastServices, [], env);
    expect(skipped.map((s) => s.name)).toContain('reconciliation');
    const withoutProfile = Object.keys(compose.services).filter(
      (name) => (compose.services[name]?.profiles ?? []).length === 0,
    );
    expect(withoutProfile).not.toContain('reconciliation');
    expect(compose.services.reconciliation?.profiles).toEqual(['live']);
    // Unset, so risk decides by the account: paper trades, a live account opens nothing unreconciled,
    // also when its operator forgot the `live` profile.
    const risk = compose.services.risk?.environment ?? {};
    expect([risk.RISK_REQUIRE_RECON, risk.ORDERS_VENUE_KIND]).toEqual([null, 'paper']);
    expect(requiresRecon({ ORDERS_VENUE_KIND: 'paper' })).toBe(false);
    expect(requiresRecon({ ORDERS_VENUE_KIND: 'ccxt' })).toBe(true);
    expect(requiresRecon({ ORDERS_VENUE_KIND: 'ccxt', RISK_REQUIRE_RECON: false })).toBe(false);
  });

  it('publishes every port on loopback only (reach them through SSH or a TLS proxy)', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => [
        name,
        typeof p === 'string' ? p : `${p.host_ip ?? ''}:${p.published}:${p.target}`,
      ]),
    );
    expect(published.map(([name]) => name)).toEqual(
      expect.arrayContaining(['grafana', 'nats', 'prometheus']),
    );
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+(\/tcp)?$/);
  });

  it("has Telegram and the gateway watch the default stack's readiness URLs and NATS's health", () => {
    const defaultServices = ballastServices.filter((n) => (compose.services[n]?.profiles ?? []).length === 0);
    const watched = (service: string, variable: string): Record<string, string> =>
      JSON.parse(compose.services[service]?.environment?.[variable] ?? '{}');
    const expected = (self: string) =>
      Object.fromEntries([
        ...defaultServices.filter((n) => n !== self).map((n) => [n, `http://${n}:8080/readyz`]),
        ['nats', 'http://nats:8222/healthz?js-enabled-only=true'],
      ]);
    expect(defaultServices).not.toContain('reconciliation');
    expect(watched('telegram', 'TELEGRAM_HEALTH_URLS')).toEqual(expected('telegram'));
    expect(watched('gateway', 'GATEWAY_HEALTH_URLS')).toEqual(expected('gateway'));
    // The same endpoint the nats healthcheck uses, on the monitoring port nats.conf opens.
    expect(compose.services.nats?.healthcheck?.test?.join(' ')).toContain(
      ':8222/healthz?js-enabled-only=true',
    );
    expect(readFileSync(join(root, 'infra', 'nats', 'nats.conf'), 'utf8')).toMatch(/^http_port: 8222$/m);
  });

  it("exports NATS's monitoring endpoint to Prometheus (nats-exporter)", () => {
    const exporter = compose.services['nats-exporter'] as ComposeService;
    expect(exporter.image).toMatch(/^natsio\/prometheus-nats-exporter:\d/);
    expect(exporter.command).toEqual(expect.arrayContaining(['-varz', '-healthz', 'http://nats:8222']));
    expect(exporter.depends_on).toEqual({ nats: { condition: 'service_healthy' } });
  });

  it('starts the gateway only under its profile, as `ballast up` only with users, which it reads from a read-only secrets/gateway mount', () => {
    const gateway = compose.services.gateway as ComposeService;
    // Without users its config refuses the start (exit 78), and unless-stopped would restart it forever.
    expect(gateway.profiles).toEqual(['gateway']);
    expect(gateway.environment?.GATEWAY_USERS_FILE).toBe('/run/secrets/gateway/users.json');
    // Resolved from the compose file's directory: ./secrets/gateway beside it.
    expect(gateway.volumes).toEqual([
      expect.stringMatching(/\/secrets\/gateway:\/run\/secrets\/gateway:ro$/),
    ]);
    expect(gateway.environment).not.toHaveProperty('GATEWAY_USERS');
    expect(readFileSync(join(root, '.env.example'), 'utf8')).not.toMatch(/^GATEWAY_USERS=/m);
    // The users file stays out of images and out of git.
    expect(readFileSync(join(root, '.dockerignore'), 'utf8').split('\n')).toContain('secrets');
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('secrets/');
  });

  it('runs the migrations once, before the services, from the same Dockerfile', () => {
    const m = compose.services.migrate as ComposeService;
    expect(m.build?.args).toEqual({ PACKAGE: '@ballast/cli' });
    expect(m.command).toEqual(['tsx', 'src/main.ts', 'db', 'migrate']);
    expect(m.restart).toBe('no');
    expect(m.depends_on).toEqual({ timescaledb: { condition: 'service_healthy' } });
  });

  it("backfills the features' warm-up history once, after the migrations, from the same Dockerfile and .env", () => {
    const w = compose.services['warm-up'] as ComposeService & { env_file?: string[] };
    expect(w.build?.args).toEqual({ PACKAGE: '@ballast/cli' });
    expect(w.command).toEqual(['tsx', 'src/main.ts', 'backfill', '--warm-up']);
    expect(w.restart).toBe('no');
    expect(w.depends_on).toEqual({
      timescaledb: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    // market-data's VENUE, SYMBOLS and TIMEFRAME say what to backfill.
    expect(w.environment).toMatchObject({ VENUE: 'binance', SYMBOLS: 'BTC/USDT,ETH/USDT', TIMEFRAME: '1h' });
    expect(w.environment?.DATABASE_URL).toMatch(/^postgres:\/\/ballast:.+@timescaledb:5432\/ballast$/);
  });

  it('gives NATS (JetStream config from infra/nats) and TimescaleDB data volumes and healthchecks', () => {
    const nats = compose.services.nats as ComposeService;
    expect(nats.command).toEqual(['-c', '/etc/nats/nats.conf']);
    expect(volumeTargets(nats)).toEqual(expect.arrayContaining(['/etc/nats', '/data']));
    expect(volumeSources(nats).some((s) => s?.endsWith('/infra/nats'))).toBe(true);
    expect(nats.healthcheck?.test?.join(' ')).toContain('js-enabled-only=true');
    const db = compose.services.timescaledb as ComposeService;
    expect(db.image).toMatch(/^timescale\/timescaledb:/);
    expect(volumeTargets(db)).toContain('/var/lib/postgresql/data');
    // Over TCP, as the services connect: the image's init server listens on the socket only.
    expect(db.healthcheck?.test?.join(' ')).toContain('pg_isready -h 127.0.0.1');
    expect(readFileSync(join(root, 'infra', 'nats', 'nats.conf'), 'utf8')).toMatch(
      /jetstream\s*\{[^}]*store_dir:\s*\/data/,
    );
  });

  it('provisions Prometheus and Grafana from infra/, Grafana without anonymous access and with its password from .env', () => {
    const prom = compose.services.prometheus as ComposeService;
    expect(volumeSources(prom).some((s) => s?.endsWith('/infra/prometheus'))).toBe(true);
    const grafana = compose.services.grafana as ComposeService;
    expect(volumeSources(grafana).filter((s) => s?.includes('/infra/grafana/'))).toHaveLength(2);
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD).toBe('change-me-grafana');
    expect(grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('documents in .env.example every variable the compose file requires, and holds no password itself', () => {
    const file = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const required = [...file.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    for (const name of new Set(required)) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(file).not.toMatch(/change-me|PASSWORD:\s+[^$\s]/);
  });
});

describe('Dockerfile (read, not built: no Docker engine here)', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

  it('is multi-stage: a workspace build stage, then pnpm deploy of one package into a runtime stage', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN CI=true pnpm install --frozen-lockfile$/m);
    expect(dockerfile).toMatch(/^ARG PACKAGE=/m);
    expect(dockerfile).toMatch(/pnpm --filter "\$PACKAGE" deploy --prod/);
    expect(dockerfile).toMatch(/^COPY --from=build \/out \/app$/m);
  });

  it('runs as a non-root user and checks /readyz', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER ballast$/m);
    expect(runtime).toMatch(/useradd .*--uid 10001/);
    expect(runtime).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD .*\/readyz/m);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['.env', '.ballast', '**/node_modules', '.git']));
  });
});
