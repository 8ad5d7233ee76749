import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStreams, NatsBus, NatsNaming } from '@ballast/bus';
import { familyOf, SERVICES, type ServiceName, Subjects, subject, subjectMatches } from '@ballast/contracts';
import { freePort, waitFor } from '@ballast/testkit';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishAndWait } from '../../packages/cli/src/commands/control';
import { natsUsers, renderAuthConf, type UserPermissions } from '../../scripts/nats-permissions';
import { type NatsServerProcess, startNatsServer } from './nats-server-process';

const infra = join(import.meta.dirname, '..', '..', 'infra', 'nats');
const users = natsUsers();
const user = (name: ServiceName) => users.find((u) => u.user === name) as UserPermissions;
const mayPublish = (name: ServiceName, subject: string) =>
  user(name).publish.some((p) => subjectMatches(p, subject));

/** The services that trade: none of them may throw or lift the kill switch. */
const TRADING: ServiceName[] = [
  'market-data',
  'features',
  'signals',
  'risk',
  'orders',
  'stops',
  'reconciliation',
];

/** The `Subjects.<family>` a service's own code (not its tests or test support) names. */
function familiesNamedIn(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'testing') for (const k of familiesNamedIn(path)) found.add(k);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      for (const m of readFileSync(path, 'utf8').matchAll(/\bSubjects\.(\w+)/g))
        if (m[1] && m[1] in Subjects) found.add(m[1]);
  }
  return found;
}

/** A concrete subject inside a permission pattern. */
const example = (pattern: string) => pattern.replaceAll('*', 'x').replace(/>$/, 'x.y');

describe('NATS permissions derived from packages/contracts', () => {
  it('are what infra/nats/auth.conf holds (regenerate with scripts/generate-nats-auth.ts when this fails)', () => {
    expect(readFileSync(join(infra, 'auth.conf'), 'utf8')).toBe(renderAuthConf(users));
    expect(readFileSync(join(infra, 'nats.conf'), 'utf8')).toMatch(/^include \.\/auth\.conf$/m);
  });

  it('name each password by environment variable, never by value', () => {
    const conf = readFileSync(join(infra, 'auth.conf'), 'utf8');
    const passwords = [...conf.matchAll(/password: (.*)$/gm)].map((m) => m[1]);
    expect(passwords).toEqual(users.map((u) => `$${u.passwordEnv}`));
  });

  it('give one user to each service and the CLI, named as in SERVICES', () => {
    expect(users.map((u) => u.user)).toEqual([...SERVICES]);
    expect(users.map((u) => u.user)).toEqual(expect.arrayContaining([...TRADING, 'gateway', 'cli']));
  });

  it('cover every service present in services/', () => {
    const present = readdirSync(join(infra, '..', '..', 'services')).filter((name) =>
      existsSync(join(infra, '..', '..', 'services', name, 'src', 'main.ts')),
    );
    const without = present.filter((name) => !users.some((u) => u.user === name));
    expect(without, 'services without a NATS user: add them to SERVICES in packages/contracts').toEqual([]);
  });

  it("declare every family a service's code names as one it produces or consumes (else NATS refuses it)", () => {
    const services = join(infra, '..', '..', 'services');
    const undeclared: string[] = [];
    for (const name of readdirSync(services).filter((n) => SERVICES.includes(n as ServiceName))) {
      for (const key of familiesNamedIn(join(services, name, 'src'))) {
        const family = Subjects[key as keyof typeof Subjects];
        const roles: readonly string[] = [...family.producers, ...family.consumers];
        if (!roles.includes(name)) undeclared.push(`${name}: ${family.name}`);
      }
    }
    expect(undeclared, 'add the service to the family in packages/contracts/src/subjects.ts').toEqual([]);
  });

  it('let only the operator identities throw the kill switch, only reconciliation report recon.event, and not signals command orders', () => {
    const who = (subject: string) => users.filter((u) => mayPublish(u.user, subject)).map((u) => u.user);
    for (const command of ['control.kill', 'control.resume']) {
      expect(who(command)).toEqual(expect.arrayContaining(['gateway', 'cli']));
      expect(who(command)).toEqual(
        [...Subjects.kill.producers].sort((a, b) => SERVICES.indexOf(a) - SERVICES.indexOf(b)),
      );
      for (const name of TRADING) expect(mayPublish(name, command), `${name} → ${command}`).toBe(false);
    }
    expect(who('recon.event')).toEqual(['reconciliation']);
    expect(mayPublish('signals', 'ord.cmd')).toBe(false);
    expect(who('ord.cmd')).toEqual([...Subjects.orderCommand.producers]);
  });
});

describe('a real nats-server started with infra/nats/nats.conf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-nats-auth-'));
  const passwords = Object.fromEntries(
    users.map((u) => [u.passwordEnv, `pw-${randomBytes(12).toString('hex')}`]),
  );
  let server: NatsServerProcess;
  let port: number;
  const connections: NatsConnection[] = [];

  const as = async (name: ServiceName, pass = passwords[user(name).passwordEnv]) => {
    const nc = await connect({ servers: `127.0.0.1:${port}`, user: name, pass, maxReconnectAttempts: 0 });
    connections.push(nc);
    return nc;
  };
  const published = (nc: NatsConnection, subject: string) =>
    jetstream(nc)
      .publish(subject, 'probe', { timeout: 5_000 })
      .then(
        (ack) => `stored in ${ack.stream}`,
        (err: Error) => err.message,
      );

  beforeAll(async () => {
    // The committed files as they are, only the JetStream store moved to a temporary directory.
    copyFileSync(join(infra, 'auth.conf'), join(dir, 'auth.conf'));
    const conf = readFileSync(join(infra, 'nats.conf'), 'utf8').replace('/data/jetstream', join(dir, 'js'));
    writeFileSync(join(dir, 'nats.conf'), conf);
    port = await freePort();
    const monitor = await freePort();
    server = await startNatsServer(
      ['-c', join(dir, 'nats.conf'), '-p', String(port), '-m', String(monitor)],
      passwords,
    );
    // A service ensures the streams at start, as connectNatsBus does.
    const nc = await as('market-data');
    await ensureStreams(await jetstreamManager(nc), new NatsNaming(''));
  }, 60_000);

  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password', async () => {
    await expect(as('signals', 'not-the-password')).rejects.toThrow(/Authorization Violation/);
  });

  it('lets every user publish every family it produces into its stream, and consume every family it consumes through a durable', {
    timeout: 120_000,
  }, async () => {
    for (const u of users) {
      const nc = await as(u.user);
      for (const pattern of u.publish.filter((p) => !p.startsWith('$') && !p.startsWith('rpc.'))) {
        const subject = example(pattern);
        expect(await published(nc, subject), `${u.user} → ${subject}`).toMatch(/^stored in /);
      }
    }
    for (const u of users.filter((x) => x.user !== 'cli')) {
      const nc = await as(u.user);
      const jsm = await jetstreamManager(nc);
      for (const [i, pattern] of u.subscribe
        .filter((p) => !p.startsWith('_') && !p.startsWith('rpc.'))
        .entries()) {
        const stream = familyOf(example(pattern))?.stream as string;
        const durable = `${u.user}-auth-${i}`;
        await jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: pattern,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
        });
        const message = await (await jetstream(nc).consumers.get(stream, durable)).next({ expires: 5_000 });
        expect(message?.subject, `${u.user} reads ${pattern} from ${stream}`).toBe(example(pattern));
        await message?.ackAck();
      }
    }
  });

  it('carries the kill switch from the CLI to risk through NatsBus, with credentials in NATS_URL as compose sets them', async () => {
    const url = (name: ServiceName) =>
      `nats://${name}:${passwords[user(name).passwordEnv]}@127.0.0.1:${port}`;
    const clock = { now: () => Date.now() };
    const risk = await NatsBus.connect({ servers: url('risk'), source: 'risk', clock });
    const cli = await NatsBus.connect({ servers: url('cli'), source: 'cli', clock });
    try {
      await risk.ensureStreams();
      const seen: string[] = [];
      await risk.subscribe(subject(Subjects.kill, {}), (m) => void seen.push(m.payload.reason), {
        durable: 'risk-auth-kill',
      });
      await cli.publish(subject(Subjects.kill, {}), {
        flatten: false,
        reason: 'auth test',
        requestedBy: 'cli:test',
      });
      await waitFor(() => seen.includes('auth test'), 'risk to receive the kill command', {
        timeoutMs: 15_000,
      });
    } finally {
      await risk.drain();
      await cli.drain();
    }
  });

  it('runs `ballast kill` with the CLI credentials in NATS_URL: the verdict is the acks, and its consumer is deleted', async () => {
    const url = (name: ServiceName) =>
      `nats://${name}:${passwords[user(name).passwordEnv]}@127.0.0.1:${port}`;
    const clock = { now: () => Date.now() };
    const risk = await NatsBus.connect({ servers: url('risk'), source: 'risk', clock });
    vi.stubEnv('NATS_URL', url('cli'));
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await risk.subscribe(
        subject(Subjects.kill, {}),
        async (m) => {
          await risk.publish(subject(Subjects.controlAck, {}), {
            service: 'risk',
            exchange: 'binance',
            command: 'kill',
            commandId: m.id,
            engaged: true,
            detail: 'rejecting every new entry (kill_switch)',
          });
        },
        { durable: 'risk-auth-kill-acks' },
      );
      const code = await publishAndWait(
        'kill',
        (bus) =>
          bus.publish(subject(Subjects.kill, {}), {
            flatten: false,
            reason: 'cli auth',
            requestedBy: 'cli:test',
          }),
        { timeoutMs: '15000', services: 'risk@binance' },
      );
      expect(code).toBe(0);
      const jsm = await jetstreamManager(await as('cli'));
      const left = [];
      for await (const c of jsm.consumers.list(new NatsNaming('').stream(Subjects.controlAck.stream)))
        if (c.name.startsWith('cli-')) left.push(c.name);
      expect(left).toEqual([]);
    } finally {
      out.mockRestore();
      vi.unstubAllEnvs();
      await risk.drain();
    }
  });

  it('answers the kill-switch state request from a service to the CLI', async () => {
    const risk = await as('risk');
    risk.subscribe('rpc.control.state', { callback: (_err, msg) => void msg.respond('state') });
    await risk.flush();
    const reply = await (await as('cli')).request('rpc.control.state', 'ask', { timeout: 5_000 });
    expect(reply.string()).toBe('state');
  });

  it('refuses forbidden publishes: signals → ord.cmd, services → control.kill/resume, others → recon.event', async () => {
    const violation = (subject: string) => `Permissions Violation for Publish to "${subject}"`;
    expect(await published(await as('signals'), 'ord.cmd')).toBe(violation('ord.cmd'));
    for (const name of ['risk', 'orders', 'stops', 'signals'] as const) {
      const nc = await as(name);
      expect(await published(nc, 'control.kill'), name).toBe(violation('control.kill'));
      expect(await published(nc, 'control.resume'), name).toBe(violation('control.resume'));
    }
    for (const name of ['risk', 'orders', 'stops', 'gateway', 'cli'] as const)
      expect(await published(await as(name), 'recon.event'), name).toBe(violation('recon.event'));
    expect(await published(await as('features'), 'md.candle.binance.BTC-USDT.1h')).toBe(
      violation('md.candle.binance.BTC-USDT.1h'),
    );
    // The operators may.
    expect(await published(await as('cli'), 'control.kill')).toBe('stored in CONTROL');
    expect(await published(await as('gateway'), 'control.resume')).toBe('stored in CONTROL');
  });

  it('refuses forbidden reads: a subscription outside its families, a durable on a stream it does not consume', async () => {
    const md = await as('market-data');
    const sub = md.subscribe('ord.>');
    await expect(sub.closed).resolves.toMatchObject({
      message: 'Permissions Violation for Subscription to "ord.>"',
    });
    const everything = (await as('features')).subscribe('>');
    await expect(everything.closed).resolves.toMatchObject({
      message: expect.stringMatching(/Permissions Violation/),
    });
    const jsm = await jetstreamManager(await as('signals'));
    await expect(
      jsm.consumers.add('ORD', {
        durable_name: 'signals-peek',
        filter_subject: 'ord.cmd',
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toThrow('Permissions Violation for Publish to "$JS.API.CONSUMER.CREATE.ORD');
  });
});
