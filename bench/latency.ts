// `pnpm bench latency`: how long from a signal decision to the order arriving at the exchange, through
// the risk and orders services running as their own processes (their main.ts) on NATS JetStream and
// PostgreSQL, against the exchange simulator. Arrival is stamped by a pass-through HTTP proxy in front
// of the simulator when `POST /api/v3/order` reaches it, on the same clock as the publish.
//
// Measured: sig.decision published → risk → risk.decision → orders (slippage check on the venue's
// book, record-before-send, submit) → order at the simulator. NOT measured: the upstream half of the
// chain (simulator candle → market-data → features → signals), which this bench does not start; the
// figure is the decision-to-venue path only. Beside it, the raw NATS request/reply round trip from the
// same run and server, as the floor any bus hop sits on.
//
// Needs NATS_URL and DATABASE_URL (as the integration tests). LATENCY_TRIGGERS overrides 1,000.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deleteStreams, NatsBus } from '@ballast/bus';
import { type Clock, derivedId, type SignalDecision, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { startExchangeSim } from '@ballast/exchange-sim';
import {
  createTestDatabase,
  natsUrl,
  readDataFile,
  sharedDataDir,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const TRIGGERS = Number(process.env.LATENCY_TRIGGERS ?? 1_000);
const WARMUP = 50;
const BOOK_FILE = 'binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json';
const API_KEY = 'bench-key';
const SECRET = 'bench-secret';
const clock: Clock = { now: () => Date.now() };
const serviceMain = (name: string) =>
  fileURLToPath(new URL(`../services/${name}/src/main.ts`, import.meta.url));

/** A pass-through proxy that stamps when each order reaches the venue, by client order id. */
class ArrivalProxy {
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly arrived = new Map<string, number>();
  private server: Server | undefined;

  async listen(target: string): Promise<string> {
    const to = new URL(target);
    this.server = createServer((req, res) => {
      const at = performance.now();
      if (req.method === 'POST' && req.url?.startsWith('/api/v3/order')) this.stampFromQuery(req.url, at);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url?.startsWith('/api/v3/order'))
          this.stampFromQuery(`/?${body.toString('utf8')}`, at);
        const upstream = httpRequest(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(body);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  arrival(clientId: string): Promise<number> {
    const seen = this.arrived.get(clientId);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.set(clientId, resolve));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  private stampFromQuery(url: string, at: number): void {
    const id = new URL(url, 'http://x').searchParams.get('newClientOrderId');
    if (!id || this.arrived.has(id)) return;
    this.arrived.set(id, at);
    this.waiters.get(id)?.(at);
  }
}

function startService(
  script: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; started: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('"msg":"started"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before starting`)));
    // Fail (and clean up) rather than hang when the service never says it started.
    setTimeout(() => reject(new Error(`${script} did not start within 60 s`)), 60_000).unref();
  });
  return { child, started };
}

function signal(id: string, long: boolean): SignalDecision {
  return {
    candidate: {
      id,
      strategy: 'bench',
      setup: 'breakout',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1h',
      side: long ? 'long' : 'short',
      entry: long ? 58001.04 : 58001.03,
      stop: long ? 57400 : 58600,
      takeProfits: [long ? 59500 : 56500],
      confidence: 70,
      rank: 1,
      rationale: 'latency bench',
      veto: null,
    },
    analyst: null,
    reviewer: null,
    approved: true,
    sizeMultiplier: 1,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms  max ${(s.at(-1) ?? 0).toFixed(2)} ms  (n=${s.length})`;
};

/** Raw NATS request/reply against an echo responder on the same server: the transport's floor. */
async function natsRoundTrips(
  servers: string,
  prefix: string,
  payload: Uint8Array,
  n: number,
): Promise<number[]> {
  const nc = await connect({ servers });
  const echo = `${prefix}bench.echo`;
  nc.subscribe(echo, {
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  await nc.flush();
  const times: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    await nc.request(echo, payload, { timeout: 5_000 });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  await nc.close();
  return times;
}

const servers = await natsUrl();
const sim = await startExchangeSim({
  dataDir: sharedDataDir(),
  speed: { mode: 'step' },
  bybit: false,
  binance: {
    symbols: ['BTCUSDT'],
    apiKey: API_KEY,
    apiSecret: SECRET,
    balances: { USDT: '100000', BTC: '0' },
  },
});
const proxy = new ArrivalProxy();
const venueUrl = await proxy.listen(sim.restUrl);
const database = await createTestDatabase('bench_latency');
const prefix = `${uniqueName('bench_latency')}.`;
const bus = await NatsBus.connect({ servers, prefix, source: 'bench', clock });
await bus.ensureStreams();
const children: ChildProcess[] = [];
const denials = new Map<string, string>();
/** When this process received each approval: a rough split of the chain (includes one consumer hop). */
const decided = new Map<string, number>();
const done = new Set<string>();

try {
  await bus.subscribe(
    subject(Subjects.riskDecision, {}),
    (m) => {
      if (m.payload.approved) decided.set(m.payload.intent.candidateId, performance.now());
      else denials.set(m.payload.candidateId, `${m.payload.reason}: ${m.payload.detail}`);
    },
    { durable: 'bench-decisions' },
  );
  await bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m) => {
      if (['filled', 'rejected', 'cancelled'].includes(m.payload.status)) done.add(m.payload.clientOrderId);
    },
    { durable: 'bench-orders' },
  );
  const common = {
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    HTTP_PORT: '0',
    EXCHANGE_BASE_URL: venueUrl,
    EXCHANGE_API_KEY: API_KEY,
    EXCHANGE_API_SECRET: SECRET,
  };
  // Sized to 1 USDT of risk on 1e9 equity: a constant 0.00166 BTC that alternating sides close again,
  // with no loss-streak pause, so 1,000 round trips stay inside every limit.
  const risk = startService(serviceMain('risk'), {
    ...common,
    RISK_EQUITY: '1000000000',
    RISK_LIMITS_JSON: JSON.stringify({ riskPerTrade: 1e-9, lossStreakPauses: [] }),
  });
  children.push(risk.child);
  await risk.started;
  const orders = startService(serviceMain('orders'), { ...common, ORDERS_VENUE_KIND: 'ccxt' });
  children.push(orders.child);
  await orders.started;

  const raw = JSON.parse(readDataFile(BOOK_FILE)) as {
    lastUpdateId: number;
    bids: string[][];
    asks: string[][];
  };
  const levels = (xs: string[][]) => xs.map(([p, q]): [number, number] => [Number(p), Number(q)]);
  const publishBook = () =>
    bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }), {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      kind: 'snapshot',
      firstUpdateId: null,
      lastUpdateId: raw.lastUpdateId,
      bids: levels(raw.bids),
      asks: levels(raw.asks),
      time: clock.now(),
    });
  await publishBook();

  const chain: number[] = [];
  const toDecision: number[] = [];
  const fromDecision: number[] = [];
  let sent = 0;
  for (let i = 0; chain.length < TRIGGERS; i++) {
    const id = `bench-${i}`;
    const long = sent % 2 === 0;
    const expected = clientOrderId('bl-', `in-${derivedId('intent', id)}`, 0);
    const t0 = performance.now();
    await bus.publish(subject(Subjects.signalDecision, {}), signal(id, long));
    const at = await Promise.race([
      proxy.arrival(expected),
      waitFor(() => denials.get(id), `a decision for ${id}`, { timeoutMs: 30_000, intervalMs: 5 }).then(
        (reason) => ({ denied: reason }),
      ),
    ]);
    if (typeof at !== 'number') {
      // Risk can see the signal before its copy of the book: only tolerated while warming up.
      if (i >= WARMUP) throw new Error(`risk denied ${id}: ${at.denied}`);
      await publishBook();
      continue;
    }
    sent++;
    if (i >= WARMUP) {
      chain.push(at - t0);
      const seen = await waitFor(() => decided.get(id), `the approval of ${id}`, { intervalMs: 1 });
      toDecision.push(seen - t0);
      fromDecision.push(at - seen);
    }
    await waitFor(() => done.has(expected), `${expected} to finish`, { timeoutMs: 30_000, intervalMs: 1 });
  }

  const payload = new TextEncoder().encode(JSON.stringify(signal('bench-size', true)));
  const rtt = await natsRoundTrips(servers, prefix, payload, TRIGGERS);
  console.log(`latency bench, ${TRIGGERS} triggers after ${WARMUP} warm-up, NATS ${servers}`);
  console.log(`sig.decision → risk → orders → order at simulator: ${fmt(chain)}`);
  console.log(`  split: sig.decision → risk.decision seen here:    ${fmt(toDecision)}`);
  console.log(`  split: risk.decision seen here → order at sim:    ${fmt(fromDecision)}`);
  console.log(`raw NATS request/reply (${payload.length} B):          ${fmt(rtt)}`);
  console.log(
    'not measured: simulator candle → market-data → features → signals (the upstream half is not started here)',
  );
} finally {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    await exit;
  }
  await bus.drain();
  const nc = await connect({ servers });
  await deleteStreams(await jetstreamManager(nc), bus.naming);
  await nc.close();
  await database.drop();
  await proxy.close();
  await sim.close();
}
