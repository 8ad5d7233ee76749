import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type ControlAck, type OrderEvent, type ResumeCommand, Subjects, subject } from '@ballast/contracts';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl, waitFor } from '@ballast/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program';
import { AckCollector, CONTROL_EXIT, expectedServices, publishAndWait } from './control';

// Risk and orders run as their own processes (their main.ts), on real NATS and PostgreSQL, against the
// simulator: book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, filters
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz. The CLI runs in this process.
const API_KEY = 'cli-key';
const SECRET = 'cli-secret';
const services = ['risk', 'orders'].map((name) =>
  fileURLToPath(new URL(`../../../../services/${name}/src/main.ts`, import.meta.url)),
);
const children: ChildProcess[] = [];
const events: OrderEvent[] = [];
const acks: ControlAck[] = [];
const resumes: ResumeCommand[] = [];

let fixture: VenueFixture;

function startService(script: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('"msg":"started"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before starting`)));
  });
}

beforeAll(async () => {
  // The database stays empty: the services migrate it on start.
  fixture = await startVenueFixture({
    label: 'cli_control',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
    migrate: false,
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-events',
  });
  await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: 'test-acks',
  });
  await fixture.bus.subscribe(subject(Subjects.resume, {}), (m) => void resumes.push(m.payload), {
    durable: 'test-resumes',
  });
  const env = {
    NATS_URL: await natsUrl(),
    DATABASE_URL: fixture.testDb.url,
    BUS_PREFIX: fixture.prefix,
    HTTP_PORT: '0',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: API_KEY,
    EXCHANGE_API_SECRET: SECRET,
  };
  // One at a time: both migrate the same database on start.
  await startService(services[0] as string, { ...env, RISK_EQUITY: '10000' });
  await startService(services[1] as string, { ...env, ORDERS_VENUE_KIND: 'ccxt', TICK_MS: '20' });
  process.env.NATS_URL = await natsUrl();
  process.env.BUS_PREFIX = fixture.prefix;
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    await exit;
  }
  await fixture?.close();
});

/** Runs `ballast <args>` in this process and returns what it printed and its exit code. */
async function ballast(...args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'ballast', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

async function cliConsumers(): Promise<string[]> {
  const nc = await connect({ servers: await natsUrl() });
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  for await (const c of jsm.consumers.list(fixture.bus.naming.stream(Subjects.controlAck.stream)))
    if (c.name.startsWith('cli-')) names.push(c.name);
  await nc.close();
  return names;
}

const venueBtc = async () =>
  (
    await new CcxtVenue({
      venue: 'binance',
      exchangeId: 'binance',
      baseUrl: fixture.sim.restUrl,
      credentials: { apiKey: API_KEY, secret: SECRET },
    }).balances()
  ).BTC ?? 0;

describe('ballast kill / resume against running risk and orders services', () => {
  it('kill --flatten prints both acks, flat on the venue; resume needs --confirm; no consumer left', {
    timeout: 90_000,
  }, async () => {
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'cli-open',
      clientOrderId: 'bl-cli-open',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.01,
      price: null,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(
      () => events.find((e) => e.intentId === 'cli-open' && e.status === 'filled'),
      'the position',
    );
    expect(await venueBtc()).toBe(0.01);

    const kill = await ballast('kill', '--flatten', '--reason', 'cli test');
    expect(kill.code).toBe(0);
    expect(kill.err).toEqual([]);
    expect(kill.out[0]).toMatch(/^kill published \([0-9a-f-]{36}\); waiting for risk, orders$/);
    expect(kill.out.slice(1).sort()).toEqual([
      'orders@binance: kill engaged=true aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)',
      'risk@binance: kill engaged=true rejecting every new entry (kill_switch)',
    ]);
    expect(await venueBtc()).toBe(0);

    const refused = await ballast('resume');
    expect(refused).toEqual({ out: [], err: ['refusing to resume without --confirm'], code: 2 });

    const resume = await ballast('resume', '--confirm');
    expect(resume.code).toBe(0);
    expect(resume.out.slice(1).sort()).toEqual([
      'orders@binance: resume engaged=false accepting orders again',
      'risk@binance: resume engaged=false evaluating entries again',
    ]);
    // Asked to lift a drawdown halt where there is none: risk keeps its peak and says what it did.
    const clear = await ballast('resume', '--confirm', '--clear-drawdown');
    expect(clear.code).toBe(0);
    expect(clear.out).toContain('risk@binance: resume engaged=false evaluating entries again');
    await waitFor(() => resumes.length === 2, 'both resumes');
    expect(resumes.map((r) => r.clearDrawdown)).toEqual([undefined, true]);
    expect(await cliConsumers()).toEqual([]);
  });

  it('matches acknowledgements that arrive before the publish call has returned the command id', {
    timeout: 30_000,
  }, async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    try {
      const code = await publishAndWait(
        'kill',
        async (cliBus) => {
          const sent = await cliBus.publish(subject(Subjects.kill, {}), {
            flatten: false,
            reason: 'race',
            requestedBy: 'test',
          });
          // Hold the id back until both services have answered: the acks are already in.
          await waitFor(() => acks.filter((a) => a.commandId === sent.id).length === 2, 'both acks first');
          return sent;
        },
        { timeoutMs: '5000', services: 'risk,orders' },
      );
      expect(code).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(out.slice(1).sort()).toEqual([
      'orders@binance: kill engaged=true aborted 0 planned slices, cancelled 0 open orders; not asked to flatten',
      'risk@binance: kill engaged=true rejecting every new entry (kill_switch)',
    ]);
  });
});

describe('ballast kill --flatten when a position is left', () => {
  /** publishAndWait with `send` answering for orders itself: the running services see no command. */
  async function killAnsweredWith(acks: Array<Omit<ControlAck, 'commandId'>>, services: string) {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    try {
      const code = await publishAndWait(
        'kill',
        async () => {
          const id = `not-flat-${crypto.randomUUID()}`;
          for (const a of acks)
            await fixture.bus.publish(subject(Subjects.controlAck, {}), { ...a, commandId: id });
          return { id };
        },
        { timeoutMs: '5000', services },
      );
      return { code, out, err };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }
  const riskAck = {
    service: 'risk',
    command: 'kill',
    engaged: true,
    detail: 'rejecting every new entry',
  } as const;

  it('exits 3 naming what is not flat when every service acknowledged but orders says NOT flat', {
    timeout: 30_000,
  }, async () => {
    const detail =
      'aborted 0 planned slices, cancelled 1 open orders; flatten: BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC, ETH-USDT flat (venue ETH 0)';
    const run = await killAnsweredWith(
      [riskAck, { service: 'orders', command: 'kill', engaged: true, detail }],
      'risk,orders',
    );
    expect(run.code).toBe(CONTROL_EXIT.notFlat);
    expect(run.code).toBe(3);
    expect(run.out).toContain(`orders: kill engaged=true ${detail}`);
    expect(run.err).toEqual([
      'NOT FLAT after the flatten (orders: BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC); the kill cancelled the exchange stops, so what is left is unprotected: close it by hand',
    ]);
  });

  it('exits 3 when the flatten could not be verified, even if another service timed out', {
    timeout: 30_000,
  }, async () => {
    const detail =
      "aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT unverified: the venue's balances could not be read";
    const run = await killAnsweredWith(
      [{ service: 'orders', command: 'kill', engaged: true, detail }],
      'orders,stops',
    );
    expect(run.code).toBe(3);
    expect(run.err).toEqual([
      'timed out waiting for: stops',
      "NOT FLAT after the flatten (orders: BTC-USDT unverified: the venue's balances could not be read); the kill cancelled the exchange stops, so what is left is unprotected: close it by hand",
    ]);
  });

  it('exits 0 when orders reports every position flat', { timeout: 30_000 }, async () => {
    const detail = 'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)';
    const run = await killAnsweredWith(
      [riskAck, { service: 'orders', command: 'kill', engaged: true, detail, flat: true }],
      'risk,orders',
    );
    expect(run).toMatchObject({ code: 0, err: [] });
  });
});

describe('ballast kill when a service keeps a command given later', () => {
  it('exits 4 naming the service whose switch stayed released', { timeout: 30_000 }, async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    try {
      const detail = 'not applied: command r-1, given after it, is in force';
      const code = await publishAndWait(
        'kill',
        async () => {
          const id = `not-applied-${crypto.randomUUID()}`;
          const ack = { service: 'risk', command: 'kill', engaged: false, detail, commandId: id } as const;
          await fixture.bus.publish(subject(Subjects.controlAck, {}), ack);
          return { id };
        },
        { timeoutMs: '5000', services: 'risk' },
      );
      expect(code).toBe(CONTROL_EXIT.notApplied);
      expect(err).toEqual([
        `NOT APPLIED by risk: ${detail}; a command given after this one is in force there (compare the clocks of the hosts sending commands)`,
      ]);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});

describe('AckCollector', () => {
  it('keeps early acks, prints each expected service once and ignores other commands', async () => {
    const printed: string[] = [];
    const collector = new AckCollector(new Set(['risk', 'orders']), (a) => printed.push(a.service));
    const ack = (service: string, commandId: string): ControlAck => ({
      service,
      command: 'kill',
      commandId,
      engaged: true,
      detail: '',
    });
    collector.add(ack('risk', 'c1'));
    collector.add(ack('risk', 'other'));
    expect(printed).toEqual([]);
    collector.expect('c1');
    expect(printed).toEqual(['risk']);
    expect(collector.missing()).toEqual(['orders']);
    collector.add(ack('risk', 'c1'));
    collector.add(ack('orders', 'c1'));
    expect(await collector.settled(1_000, 0)).toBe('acked');
    expect(printed).toEqual(['risk', 'orders']);
  });

  it('counts every venue answer: one venue NOT flat is reported whatever the other says, and service@venue waits for that venue', async () => {
    const collector = new AckCollector(new Set(['orders@binance', 'orders@bybit']), () => undefined);
    const ack = (exchange: string, detail: string, flat: boolean): ControlAck => ({
      service: 'orders',
      exchange,
      command: 'kill',
      commandId: 'k1',
      engaged: true,
      detail,
      flat,
    });
    collector.expect('k1');
    collector.add(ack('bybit', 'flatten: flat (venue BTC 0)', true));
    expect(collector.missing()).toEqual(['orders@binance']);
    collector.add(ack('binance', 'flatten: BTC-USDT NOT flat: the venue still holds 0.00999 BTC', false));
    expect(await collector.settled(1_000, 0)).toBe('acked');
    expect(collector.notFlat()).toEqual([
      'orders@binance: BTC-USDT NOT flat: the venue still holds 0.00999 BTC',
    ]);
  });

  it("waits, for a bare entry, for every venue any service answered for, and reads a later venue's NOT flat", async () => {
    const collector = new AckCollector(new Set(['risk', 'orders']), () => undefined);
    const ack = (service: string, exchange: string, flat: boolean | null = null): ControlAck => ({
      service,
      exchange,
      command: 'kill',
      commandId: 'k2',
      engaged: true,
      detail: flat === false ? 'flatten: ETH-USDT NOT flat: the venue still holds 0.5 ETH' : 'flatten: flat',
      flat,
    });
    collector.expect('k2');
    collector.add(ack('risk', 'binance'));
    collector.add(ack('orders', 'binance', true));
    const verdict = collector.settled(5_000, 300);
    // Inside the quiet window: bybit's risk answers, so orders must answer for bybit too.
    collector.add(ack('risk', 'bybit'));
    expect(collector.missing()).toEqual(['orders@bybit']);
    setTimeout(() => collector.add(ack('orders', 'bybit', false)), 400);
    expect(await verdict).toBe('acked');
    expect(collector.notFlat()).toEqual(['orders@bybit: ETH-USDT NOT flat: the venue still holds 0.5 ETH']);
  });

  it('times out naming the venue a bare entry still owes', async () => {
    const collector = new AckCollector(new Set(['orders']), () => undefined);
    collector.expect('k3');
    for (const exchange of ['binance', 'bybit'])
      collector.add({
        service: exchange === 'binance' ? 'orders' : 'risk',
        exchange,
        command: 'kill',
        commandId: 'k3',
        engaged: true,
        detail: '',
      });
    expect(await collector.settled(200, 0)).toBe('timeout');
    expect(collector.missing()).toEqual(['orders@bybit']);
  });
});

describe('ballast kill options', () => {
  it('refuses a --timeout-ms that is not a positive integer before publishing anything', async () => {
    const send = vi.fn(async () => ({ id: 'never' }));
    await expect(publishAndWait('kill', send, { timeoutMs: '10s', services: 'risk' })).rejects.toThrow(
      'invalid --timeout-ms "10s": a positive integer',
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses a --services naming no service before publishing anything, rather than exit 0 unanswered', async () => {
    const send = vi.fn(async () => ({ id: 'never' }));
    await expect(publishAndWait('kill', send, { timeoutMs: '1000', services: '' })).rejects.toThrow(
      'invalid --services "": name at least one service to wait for (risk,orders)',
    );
    expect([...expectedServices(' risk , orders@bybit,, ')]).toEqual(['risk', 'orders@bybit']);
    expect(() => expectedServices(' , ')).toThrow('invalid --services " , "');
    expect(send).not.toHaveBeenCalled();
  });
});
