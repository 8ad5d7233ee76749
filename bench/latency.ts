// `pnpm bench latency`: the full chain with every service as its own process (its main.ts) on NATS
// JetStream and PostgreSQL: the exchange simulator emits a recorded closed 1h kline on its WebSocket →
// market-data → md.candle → features → feat → signals (strategies, rules analyst and reviewer) →
// sig.decision → risk → risk.decision → orders (slippage check on the streamed md.book, record-before-send)
// → the order arriving at the simulator. Arrival is stamped by a pass-through HTTP proxy in front of the
// simulator when `POST /api/v3/order` reaches it, on the same clock as the emission (this process).
//
// Real Binance BTCUSDT and ETHUSDT 1h candles are replayed from the start of the recording, both symbols
// closing at the same instant as they do live; the next instant is sent once this process has seen the
// feature vectors of the previous one and every order they caused has arrived (a live 1h market is idle
// between closes: the figure is the latency of one close, not of a backlog). The strategies run with
// permissive settings (printed) so that enough closes trigger; risk sizes to a few thousand USDT on a
// 1e9 book. md.book is the recorded 2021-04-04 depth moved to each close; the simulator fills against
// the recorded snapshots as they are: fills are not the point.
//
// Beside it: the split at md.candle, feat, sig.decision and risk.decision as seen by this process (each
// includes one more consumer hop), the raw NATS request/reply round trip and the JetStream floor (the same
// legs passed through processes that do no work: bench/support/jetstream-floor.ts) from the same run and server,
// CPU time of this process, and the load. Needs NATS_URL and DATABASE_URL. LATENCY_TRIGGERS overrides
// 1,000; LATENCY_CPU_PROF=<dir> has every service write a CPU profile there.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { type Clock, pattern, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { startExchangeSim } from '@ballast/exchange-sim';
import {
  createTestDatabase,
  natsUrl,
  RULES_AGENTS_ENV,
  readDataFile,
  type ServiceProcess,
  sharedDataDir,
  startServiceProcess,
  uniqueName,
  waitFor,
  watchPipeline,
} from '@ballast/testkit';
import { connect } from '@nats-io/transport-node';
import { jetStreamFloor } from './support/jetstream-floor';

const TRIGGERS = Number(process.env.LATENCY_TRIGGERS ?? 1_000);
const WARMUP = 20;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const BOOKS: Record<string, string> = {
  BTCUSDT: 'binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json',
  ETHUSDT: 'binance-spot-ws/2021-04-04_rest_depth_ETHUSDT_limit1000.json',
};
type RecordedBook = { lastUpdateId: number; bids: string[][]; asks: string[][] };
/** The levels a side sent on md.book: the depth near the touch that sizing and the slippage walk read. */
const BOOK_LEVELS = 100;
/** How often the recorded book is re-sent on md.book (orders trusts a streamed book for 2 s). */
const BOOK_EVERY_MS = 1_000;
const API_KEY = 'bench-key';
const SECRET = 'bench-secret';
const clock: Clock = { now: () => Date.now() };
/** CPU time (user + system) a process has used so far, from /proc (Linux; 100 ticks a second). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The replayed candles closing at each instant, in replay order: each symbol's close price then. */
function closingInstants(): Array<Map<string, number>> {
  const byTime = new Map<number, Map<string, number>>();
  for (const symbol of SYMBOLS)
    for (const line of readDataFile(`binance-spot-ohlcv/${symbol}-1h.csv.gz`).split('\n').slice(1)) {
      if (!line) continue;
      const fields = line.split(',');
      const closeTime = Number(fields[6]);
      const closes = byTime.get(closeTime) ?? new Map<string, number>();
      closes.set(symbol, Number(fields[4]));
      byTime.set(closeTime, closes);
    }
  return [...byTime.entries()].sort((x, y) => x[0] - y[0]).map(([, closes]) => closes);
}
const instants = closingInstants();
/** Loose enough that about one close in seventy triggers an approved order on these candles. */
const STRATEGIES = {
  trendPullback: { minAdx: 0, rsiMin: 0, rsiMax: 100, pullbackAtr: 0 },
  breakout: { minVolumeRatio: 0.1, squeezeLookback: 50 },
  meanReversion: { rsiOversold: 50, rsiOverbought: 50 },
};
const RISK_LIMITS = {
  // The simulated account holds BTC and ETH to sell, so short signals reach the venue as long ones do.
  allowShort: true,
  // 100 USDT a trade. No stops service runs here, so a position's stop is unknown and an add is sized to
  // risk its whole entry price (addStopDistance): at 1e-8 adds fell below the venue's minimum notional.
  riskPerTrade: 1e-7,
  lossStreakPauses: [],
  maxOpenPositions: 1_000,
  maxOpenRisk: 1,
  // All of equity (1e9): the run's 100 USDT risks never come near it (maxExposure is at most 3).
  maxExposure: 1,
};

/** A pass-through proxy that stamps when each order reaches the venue, by client order id. */
class ArrivalProxy {
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly arrived = new Map<string, number>();
  private server: Server | undefined;
  /** REST book requests (GET /api/v3/depth): orders falls back to them when md.book is stale. */
  depthRequests = 0;

  async listen(target: string): Promise<string> {
    const to = new URL(target);
    this.server = createServer((req, res) => {
      const at = performance.now();
      if (req.method === 'GET' && req.url?.startsWith('/api/v3/depth')) this.depthRequests++;
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

/**
 * Conditions re-checked whenever a message reaches this process, instead of polling: the bench shares
 * two cores with the services, and a 1 ms poll would steal from what it measures.
 */
class Waits {
  private waiting: Array<{ ready: () => boolean; done: (ok: boolean) => void }> = [];

  /** Resolves true once `ready` holds, false after `timeoutMs`. */
  until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        ready,
        done: (ok: boolean) => {
          clearTimeout(timer);
          this.waiting = this.waiting.filter((w) => w !== waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiting.push(waiter);
    });
  }

  changed(): void {
    for (const w of this.waiting.filter((x) => x.ready())) w.done(true);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (xs: number[]) => {
  if (xs.length === 0) return 'no samples';
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms  max ${(s.at(-1) ?? 0).toFixed(2)} ms  (n=${s.length})`;
};

/** Raw NATS request/reply against an echo responder on the same server: one round trip, no stream. */
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
    symbols: SYMBOLS,
    apiKey: API_KEY,
    apiSecret: SECRET,
    balances: { USDT: '1000000000', BTC: '1000000', ETH: '1000000' },
    candles: SYMBOLS.map((symbol) => ({
      symbol,
      interval: '1h',
      file: `binance-spot-ohlcv/${symbol}-1h.csv.gz`,
      replay: true,
      replayFrom: 0,
    })),
  },
});
const proxy = new ArrivalProxy();
const venueUrl = await proxy.listen(sim.restUrl);
const database = await createTestDatabase('bench_latency');
const prefix = `${uniqueName('bench_latency')}.`;
const bus = await NatsBus.connect({ servers, prefix, source: 'bench', clock });
await bus.ensureStreams();
const running: ServiceProcess[] = [];
let bookTimer: NodeJS.Timeout | undefined;

/** Emission time of each closed candle, by `symbol|openTime`, and the same by md.candle correlation id. */
const emitted = new Map<string, number>();
const byCorrelation = new Map<string, { key: string; at: number }>();
const featSeen = new Map<string, number>();
const decisionSeen = new Map<string, number>();
const pending = new Map<string, { correlation: string; at: number }>();
const arrivals: Array<{ correlation: string; at: number; decided: number }> = [];
/** md.candle keys seen since the last instant was sent. */
const fresh: string[] = [];
let rejected = 0;
let featCount = 0;
const waits = new Waits();
const pipeline = await watchPipeline(servers, prefix);
/**
 * The streams between features and orders: signals, risk and orders are done with an instant only once
 * their consumers acked all of it (signals publishes nothing for a close without a setup).
 */
const idleStreams = [Subjects.features, Subjects.signalDecision, Subjects.riskDecision].map((s) => s.stream);
/** Where candidates went: signals' verdicts and risk's, by reason (printed, so a short run is explained). */
const outcomes = new Map<string, number>();
const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

try {
  await bus.subscribe(
    pattern(Subjects.candle),
    (m) => {
      const key = `${m.payload.symbol}|${m.payload.openTime}`;
      byCorrelation.set(m.correlationId, { key, at: performance.now() });
      fresh.push(key);
      waits.changed();
    },
    { durable: 'bench-candles' },
  );
  await bus.subscribe(
    pattern(Subjects.features),
    (m) => {
      featCount++;
      waits.changed();
      featSeen.set(m.correlationId, performance.now());
    },
    { durable: 'bench-features' },
  );
  await bus.subscribe(
    subject(Subjects.signalDecision, {}),
    (m) => {
      const { approved, candidate } = m.payload;
      tally(approved ? 'signals approved' : `signals vetoed ${candidate.veto?.reason ?? 'by the agents'}`);
      if (m.payload.approved) decisionSeen.set(m.correlationId, performance.now());
    },
    { durable: 'bench-signals' },
  );
  await bus.subscribe(
    subject(Subjects.riskDecision, {}),
    (m) => {
      tally(m.payload.approved ? 'risk approved' : `risk denied ${m.payload.reason}`);
      if (!m.payload.approved) return;
      const id = clientOrderId('bl-', m.payload.intent.intentId, 0);
      const decided = performance.now();
      pending.set(id, { correlation: m.correlationId, at: decided });
      void proxy.arrival(id).then((at) => {
        pending.delete(id);
        arrivals.push({ correlation: m.correlationId, at, decided });
        waits.changed();
      });
    },
    { durable: 'bench-decisions' },
  );
  await bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m) => {
      // Refused before the venue (slippage guard): no arrival will come.
      if (m.payload.status === 'rejected' && pending.delete(m.payload.clientOrderId)) rejected++;
      waits.changed();
    },
    { durable: 'bench-orders' },
  );

  const common = {
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  const services: Array<[string, Record<string, string>]> = [
    [
      'market-data',
      {
        VENUE: 'binance',
        SYMBOLS: 'BTC/USDT,ETH/USDT',
        TIMEFRAME: '1h',
        CHANNELS: 'candles',
        WS_URL: sim.wsUrl,
        REST_URL: sim.restUrl,
        PUBLISH_BOOK: 'false',
        STALE_AFTER_MS: String(86_400_000),
        HEARTBEAT_TIMEOUT_MS: String(86_400_000),
      },
    ],
    ['features', { FEATURES_SERIES: 'binance:BTC-USDT:1h,binance:ETH-USDT:1h' }],
    [
      'signals',
      {
        SIGNALS_UNIVERSE: 'BTC-USDT,ETH-USDT',
        SIGNALS_MIN_HOUR_TRADES: '1000',
        // The simulator replays recorded bars of years ago on the wall clock: none is a live bar's
        // age, and the bench measures the chain's latency, not the freshness gate.
        SIGNALS_MAX_VECTOR_AGE_MS: String(20 * 365 * 86_400_000),
        SIGNALS_STRATEGIES: JSON.stringify(STRATEGIES),
        ...RULES_AGENTS_ENV,
      },
    ],
    [
      'risk',
      {
        EXCHANGE_BASE_URL: venueUrl,
        RISK_EQUITY: '1000000000',
        RISK_LIMITS_JSON: JSON.stringify(RISK_LIMITS),
      },
    ],
    [
      'orders',
      {
        EXCHANGE_BASE_URL: venueUrl,
        EXCHANGE_API_KEY: API_KEY,
        EXCHANGE_API_SECRET: SECRET,
        ORDERS_VENUE_KIND: 'ccxt',
      },
    ],
  ];
  // LATENCY_CPU_PROF=<dir>: each service writes a CPU profile there when it stops (bench/support/cpu-profile.ts).
  const profiled = process.env.LATENCY_CPU_PROF
    ? { imports: [new URL('./support/cpu-profile.ts', import.meta.url).href] }
    : {};
  for (const [name, env] of services)
    running.push(await startServiceProcess(name, { ...common, ...env }, profiled));
  await waitFor(() => sim.controls.state().connections.binance > 0, 'market-data to connect', {
    timeoutMs: 30_000,
  });
  // Risk's liquidity cap and entry_off_market and orders' slippage check read md.book: the recorded
  // depth's top levels, their mid moved to the close about to be emitted (a live book is where the
  // market trades), sent before the candle and re-sent every second as a live depth stream would.
  const recorded = new Map(
    SYMBOLS.map((symbol) => [symbol, JSON.parse(readDataFile(BOOKS[symbol]!)) as RecordedBook]),
  );
  const bookAt = new Map<string, number>();
  const publishBooks = async () => {
    for (const [symbol, close] of bookAt) {
      const raw = recorded.get(symbol)!;
      const scale = close / ((Number(raw.bids[0]![0]) + Number(raw.asks[0]![0])) / 2);
      const levels = (xs: string[][]) =>
        xs.slice(0, BOOK_LEVELS).map(([p, q]): [number, number] => [Number(p) * scale, Number(q)]);
      const sym = symbol.replace('USDT', '-USDT');
      await bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: sym }), {
        exchange: 'binance',
        symbol: sym,
        kind: 'snapshot',
        firstUpdateId: null,
        lastUpdateId: raw.lastUpdateId,
        bids: levels(raw.bids),
        asks: levels(raw.asks),
        time: clock.now(),
      });
    }
  };
  const bookBefore = async (closes: Map<string, number> | undefined) => {
    for (const [symbol, close] of closes ?? []) bookAt.set(symbol, close);
    await publishBooks();
    // Risk and orders hold it when the candle closes, as they hold a live book, outside the measure.
    await pipeline.waitIdle({ streams: [Subjects.book.stream], inFlowOrder: true, intervalMs: 1 });
  };
  bookTimer = setInterval(
    () => void publishBooks().catch((err: unknown) => console.error('md.book not re-sent', err)),
    BOOK_EVERY_MS,
  );

  const feed = sim.controls.state().feeds.find((f) => f.name === 'binance-candles')!;
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const cpu0 = process.cpuUsage();
  const serviceCpu0 = running.map((p) => processCpuMs(p.child.pid));
  const wall0 = performance.now();
  let sent = 0;
  let instant = 0;
  let lastReport = wall0;
  while (arrivals.length < TRIGGERS + WARMUP && sent < feed.total) {
    // One instant: every symbol's candle closing then, sent together as live.
    const closes = instants[instant++];
    const count = closes?.size ?? 1;
    await bookBefore(closes);
    const stepAt = performance.now();
    sent += sim.controls.step(count, 'binance-candles');
    const featBefore = featCount;
    // A candle market-data holds back (a gap it backfills first) is waited for only so long.
    const seen = await waits.until(() => fresh.length >= count, 5_000);
    // Features publishes once warmed up (EMA200 and friends); from then on, one vector per candle.
    if (seen && featBefore > 0 && !(await waits.until(() => featCount >= featBefore + count, 60_000)))
      throw new Error(`timed out waiting for the feature vectors of candle ${sent}`);
    for (const key of fresh.splice(0)) emitted.set(key, stepAt);
    // Signals, risk and orders finish with this instant, and the orders it caused reach the venue,
    // before the next one closes.
    await pipeline.waitIdle({
      streams: idleStreams,
      inFlowOrder: true,
      settled: () => pending.size === 0,
      intervalMs: 1,
    });
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.error(`… ${sent} candles, ${arrivals.length} orders at the simulator`);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const serviceCpu = running.map(
    (p, i) => `${p.name} ${((processCpuMs(p.child.pid) - serviceCpu0[i]!) / sent).toFixed(2)}`,
  );
  const wall = performance.now() - wall0;

  const chain: number[] = [];
  const toCandle: number[] = [];
  const toFeat: number[] = [];
  const toDecision: number[] = [];
  const toRisk: number[] = [];
  for (const a of arrivals.slice(WARMUP)) {
    const candle = byCorrelation.get(a.correlation);
    const at = candle ? emitted.get(candle.key) : undefined;
    if (!candle || at === undefined) continue;
    chain.push(a.at - at);
    toCandle.push(candle.at - at);
    const f = featSeen.get(a.correlation);
    if (f !== undefined) toFeat.push(f - at);
    const d = decisionSeen.get(a.correlation);
    if (d !== undefined) toDecision.push(d - at);
    toRisk.push(a.decided - at);
  }

  const payload = new TextEncoder().encode(JSON.stringify({ probe: 'x'.repeat(600) }));
  const rtt = await natsRoundTrips(servers, prefix, payload, Math.max(TRIGGERS, 1_000));
  const floor = await jetStreamFloor(servers, uniqueName('bench_floor'), payload, {
    n: Math.max(TRIGGERS, 1_000),
    warmup: WARMUP,
    gapMs: 2,
  });
  console.log(
    `latency bench: ${chain.length} triggers after ${WARMUP} warm-up, ${sent} candles replayed, ${rejected} refused before the venue`,
  );
  console.log(
    `candidates: ${[...outcomes.entries()]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(`strategies ${JSON.stringify(STRATEGIES)}; risk ${JSON.stringify(RISK_LIMITS)}`);
  console.log(`candle emitted by the simulator → order at the simulator: ${fmt(chain)}`);
  console.log(`  split: → md.candle seen here:     ${fmt(toCandle)}`);
  console.log(`  split: → feat seen here:          ${fmt(toFeat)}`);
  console.log(`  split: → sig.decision seen here:  ${fmt(toDecision)}`);
  console.log(`  split: → risk.decision seen here: ${fmt(toRisk)}`);
  console.log(`raw NATS request/reply (${payload.length} B): ${fmt(rtt)}`);
  console.log(
    `JetStream floor, 5 legs through 4 pass-through processes (${payload.length} B): ${fmt(floor)}`,
  );
  console.log(
    `run: ${(wall / 1000).toFixed(1)} s wall, this process ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU; ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${cpus().length} cores; NATS ${servers}`,
  );
  console.log(`service CPU per replayed candle (ms, user + system): ${serviceCpu.join(', ')}`);
  console.log(`REST book requests through the proxy: ${proxy.depthRequests} (load at start ${loadAtStart})`);
  if (chain.length < TRIGGERS) {
    // Fewer triggers than asked is no figure: say so and fail (a risk rule refusing every entry once gave 0).
    console.error(
      `latency bench: only ${chain.length} of ${TRIGGERS} triggers measured; see the refusals above`,
    );
    process.exitCode = 1;
  }
} finally {
  clearInterval(bookTimer);
  for (const p of running.reverse()) await p.stop();
  await pipeline.close();
  await bus.drain();
  await deleteStreamsAt(servers, bus.naming);
  await database.drop();
  await proxy.close();
  await sim.close();
}
