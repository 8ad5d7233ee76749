import { randomBytes, scryptSync } from 'node:crypto';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { type Clock, type ControlAck, type RiskDecision, Subjects, subject } from '@ballast/contracts';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import {
  approvedBtcLong,
  createTestDatabase,
  freePortRun,
  natsUrl,
  recordedDepthSnapshot,
  type ServiceProcess,
  sharedDataDir,
  startServiceProcess,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The operator's big red button, end to end and as deployed: the gateway and the risk manager run as
// their own processes on real NATS and PostgreSQL; the operator logs in over HTTP and presses kill; risk
// acknowledges, rejects the next entry with kill_switch (also after a restart), and evaluates again after
// a resume. Prices: the recorded book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json; market
// rules from the simulator's recorded exchangeInfo.
const clock: Clock = { now: () => Date.now() };
const PASSWORD = 'operator-pass-kill-flow';
const children: ServiceProcess[] = [];

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;
let prefix: string;
let gatewayUrl: string;
const decisions: RiskDecision[] = [];
const acks: ControlAck[] = [];

/** The stored form the gateway reads (`scrypt$N$r$p$salt$hash`), made here with node's own scrypt. */
function scryptHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFKC'), salt, 64, { N: 16_384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

async function startRisk(): Promise<ServiceProcess> {
  const risk = await startServiceProcess('risk', {
    NATS_URL: await natsUrl(),
    DATABASE_URL: testDb.url,
    BUS_PREFIX: prefix,
    EXCHANGE_BASE_URL: sim.restUrl,
    RISK_EQUITY: '10000',
  });
  children.push(risk);
  return risk;
}

beforeAll(async () => {
  sim = await startExchangeSim({ dataDir: sharedDataDir(), speed: { mode: 'step' }, bybit: false });
  testDb = await createTestDatabase('kill_flow');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  prefix = `${uniqueName('kill_flow')}.`;
  bus = await NatsBus.connect({ servers: await natsUrl(), prefix, source: 'test', clock });
  await bus.ensureStreams();
  await bus.subscribe(subject(Subjects.riskDecision, {}), (m) => void decisions.push(m.payload), {
    durable: 'flow-decisions',
  });
  await bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: 'flow-acks',
  });
  const port = await freePortRun(1);
  gatewayUrl = `http://127.0.0.1:${port}`;
  const [gateway] = await Promise.all([
    startServiceProcess('gateway', {
      NATS_URL: await natsUrl(),
      DATABASE_URL: testDb.url,
      BUS_PREFIX: prefix,
      GATEWAY_PORT: String(port),
      GATEWAY_USERS: JSON.stringify([{ name: 'olivia', role: 'operator', scryptHash: scryptHash(PASSWORD) }]),
    }),
    startRisk(),
  ]);
  children.push(gateway);
}, 180_000);

afterAll(async () => {
  for (const child of children) await child.stop(5_000);
  await bus?.drain();
  if (bus) await deleteStreamsAt(await natsUrl(), bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

async function loginOperator(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${gatewayUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'olivia', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: csrfToken };
}

async function control(action: 'kill' | 'resume', body: object, session: { cookie: string; csrf: string }) {
  const res = await fetch(`${gatewayUrl}/api/control/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { commandId: string }).commandId;
}

/** Publishes a signal decision and returns risk's answer to it. */
async function decide(id: string): Promise<RiskDecision> {
  await bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
    recordedDepthSnapshot('BTCUSDT', clock.now()),
  );
  await bus.publish(subject(Subjects.signalDecision, {}), approvedBtcLong(id));
  return waitFor(
    () => decisions.find((d) => (d.approved ? d.intent.candidateId : d.candidateId) === id),
    `risk's decision on ${id}`,
    { timeoutMs: 30_000 },
  );
}

describe('kill switch from the dashboard to the risk manager', () => {
  it('rejects entries from the moment risk acknowledges the kill, across a restart, until a resume', async () => {
    const first = await decide('flow-1');
    if (!first.approved) throw new Error(`flow-1 denied: ${first.reason}`);
    // No orders service runs here: it stands refused, else its approval would hold the market's room
    // (until RISK_PENDING_TTL_MS, across the restart too) and the entry after the resume would not fit.
    await bus.publish(subject(Subjects.orderEvent, {}), {
      status: 'rejected',
      intentId: first.intent.intentId,
      clientOrderId: `bl-${first.intent.intentId}`,
      venueOrderId: null,
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: first.intent.qty,
      filledQty: 0,
      avgPrice: null,
      fill: null,
      reason: 'insufficient_funds',
      detail: 'test: no orders service',
    });
    const session = await loginOperator();

    const killId = await control('kill', { flatten: false, reason: 'operator test' }, session);
    const ack = await waitFor(() => acks.find((a) => a.commandId === killId), 'risk acknowledging the kill', {
      timeoutMs: 30_000,
    });
    expect(ack).toMatchObject({ service: 'risk', command: 'kill', engaged: true });
    expect(await decide('flow-2')).toMatchObject({ approved: false, reason: 'kill_switch' });
    // The gateway shows the engaged switch with the acknowledgement of the real risk process.
    const shown = await waitFor(
      async () => {
        const res = await fetch(`${gatewayUrl}/api/control`, { headers: { cookie: session.cookie } });
        const body = (await res.json()) as { state: { engaged: boolean; acks: ControlAck[] } };
        return body.state.acks.some((a) => a.commandId === killId) ? body.state : undefined;
      },
      'the gateway showing risk’s acknowledgement',
      { timeoutMs: 30_000 },
    );
    expect(shown.engaged).toBe(true);

    // A restarted risk manager reads the engaged switch back before it decides anything.
    const risk = children.find((c) => c.name === 'risk');
    expect(await risk?.stop()).toBe(0);
    await startRisk();
    expect(await decide('flow-3')).toMatchObject({ approved: false, reason: 'kill_switch' });

    const resumeId = await control('resume', { reason: 'operator test over' }, session);
    await waitFor(
      () => acks.find((a) => a.commandId === resumeId && !a.engaged),
      'risk acknowledging the resume',
      {
        timeoutMs: 30_000,
      },
    );
    expect(await decide('flow-4')).toMatchObject({ approved: true });

    const actions = await handle.db
      .selectFrom('control_actions')
      .select(['action', 'actor', 'outcome', 'command_id'])
      .orderBy('created_at')
      .execute();
    expect(actions).toEqual([
      { action: 'kill', actor: 'olivia', outcome: 'published', command_id: killId },
      { action: 'resume', actor: 'olivia', outcome: 'published', command_id: resumeId },
    ]);
  });
});
