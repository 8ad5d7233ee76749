import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '@ballast/contracts';
import { WebSocketServer } from 'ws';
import { routeAdmin } from './admin-api';
import { BinanceErrors } from './binance-api-error';
import { type BinanceRestContext, failure, routeBinance } from './binance-rest';
import { type BinanceVenue, loadBinanceVenue } from './binance-venue';
import { acceptBinanceSocket, deliverBinanceFrame } from './binance-ws';
import { routeBybit } from './bybit-rest';
import { type BybitVenue, loadBybitVenue } from './bybit-venue';
import { acceptBybitSocket, deliverBybitFrame } from './bybit-ws';
import { HttpFaults } from './http-faults';
import { type RouteResult, readRequest, type SimRequest, sendJson } from './http-io';
import { createControls, type SimControls, type Venue } from './sim-controls';
import { DEFAULTS, type ExchangeSimOptions } from './sim-options';
import { StreamHub } from './stream-hub';
import { routeTamper, VenueTamper } from './venue-tamper';

/** How long an idle HTTP connection stays open (Node's default is 5 s). */
const IDLE_KEEP_ALIVE_MS = 65_000;

export interface ExchangeSim {
  /** `http://host:port`: Binance paths under `/api`, `/sapi`; Bybit under `/v5`; admin under `/_sim`. */
  restUrl: string;
  /** `ws://host:port`: Binance `/stream`, `/ws`; Bybit `/v5/public/linear`. */
  wsUrl: string;
  controls: SimControls;
  /** Changes to the Binance venue behind its clients' backs (also under `/_sim/venue/*`). */
  tamper: VenueTamper;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };

/** Loads the recorded data and serves it over HTTP and WebSocket on one port. */
export async function startExchangeSim(options: ExchangeSimOptions): Promise<ExchangeSim> {
  const clock = options.clock ?? systemClock;
  const speed = options.speed ?? DEFAULTS.speed;
  const feedOpts = { loop: options.loop ?? false, maxGapMs: options.maxGapMs ?? DEFAULTS.maxGapMs };
  const binance = loadBinanceVenue(options.dataDir, options.binance ?? {}, clock, speed, feedOpts);
  const bybit =
    options.bybit === false
      ? undefined
      : loadBybitVenue(options.dataDir, options.bybit ?? {}, speed, feedOpts);
  const hubs: Record<Venue, StreamHub> = { binance: new StreamHub('binance'), bybit: new StreamHub('bybit') };
  wireFeeds(binance, bybit, hubs);
  const httpFaults = new HttpFaults();
  const controls = createControls(binance, bybit, hubs, httpFaults);
  const restCtx = restContext(binance, clock);
  const tamper = new VenueTamper(binance, clock);
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void handleHttp(req, res, { restCtx, bybit, controls, httpFaults, hanging, clock, tamper });
  });
  // Venues keep an idle connection open far longer than a client's pool does. With Node's 5 s default
  // the server could close a socket just as undici (4 s) reused it, on a loaded machine: ECONNRESET on
  // a plain GET, which no venue would cause.
  server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
  server.headersTimeout = IDLE_KEEP_ALIVE_MS + 1_000;
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const venue = wsVenue(url.pathname, bybit !== undefined);
    if (!venue) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (venue === 'binance') acceptBinanceSocket(hubs.binance, ws, url);
      else if (bybit) acceptBybitSocket(hubs.bybit, ws, bybit);
    });
  });

  const host = options.host ?? DEFAULTS.host;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  if (options.autoStart) controls.start();

  return {
    restUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    controls,
    tamper,
    close: async () => {
      controls.pause();
      hubs.binance.dropAll();
      hubs.bybit.dropAll();
      for (const res of hanging) res.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function wireFeeds(
  binance: BinanceVenue,
  bybit: BybitVenue | undefined,
  hubs: Record<Venue, StreamHub>,
): void {
  binance.frames.onWire((f) => deliverBinanceFrame(hubs.binance, f));
  binance.candles.onWire((f) => deliverBinanceFrame(hubs.binance, f));
  if (!bybit) return;
  bybit.frames.onWire((f) => deliverBybitFrame(hubs.bybit, f, bybit.books));
  bybit.candles.onWire((f) => deliverBybitFrame(hubs.bybit, f, bybit.books));
}

function wsVenue(path: string, hasBybit: boolean): Venue | undefined {
  if (path === '/stream' || path === '/ws' || path.startsWith('/ws/')) return 'binance';
  if (hasBybit && path === '/v5/public/linear') return 'bybit';
  return undefined;
}

function restContext(binance: BinanceVenue, clock: Clock): BinanceRestContext {
  let generated = 0;
  return {
    clock,
    exchangeInfo: binance.exchangeInfo,
    market: binance.market,
    engine: binance.engine,
    account: binance.account,
    credentials: binance.credentials,
    takerCommissionBps: binance.fees.takerBps,
    makerCommissionBps: binance.fees.makerBps,
    generateId: (prefix) => `${prefix}${++generated}`,
  };
}

interface HttpDeps {
  restCtx: BinanceRestContext;
  bybit: BybitVenue | undefined;
  controls: SimControls;
  httpFaults: HttpFaults;
  hanging: Set<ServerResponse>;
  clock: Clock;
  tamper: VenueTamper;
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  let sim: SimRequest;
  try {
    sim = await readRequest(req);
  } catch (err) {
    sendJson(res, 400, { code: -1000, msg: (err as Error).message });
    return;
  }
  const tampered = routeTamper(sim, deps.tamper, deps.clock.now());
  if (tampered) return send(res, tampered);
  const admin = routeAdmin(sim, deps.controls);
  if (admin) return send(res, admin);
  const fault = deps.httpFaults.take(sim.path);
  if (fault?.kind === 'timeout') {
    // Never answered: the client's own timeout is what is under test. Released on close().
    deps.hanging.add(res);
    res.on('close', () => deps.hanging.delete(res));
    return;
  }
  if (fault?.kind === 'rate_limit')
    return send(res, {
      ...failure(
        fault.status === 418
          ? BinanceErrors.ipBanned(deps.clock.now() + fault.retryAfterSeconds * 1_000)
          : BinanceErrors.tooManyRequests(),
      ),
      headers: { 'retry-after': String(fault.retryAfterSeconds) },
    });
  if (fault?.kind === 'server_error')
    return send(res, { ...failure(BinanceErrors.serverError()), status: fault.status });
  send(res, route(sim, deps));
}

function route(sim: SimRequest, deps: HttpDeps): RouteResult {
  try {
    const result =
      routeBinance(sim, deps.restCtx) ??
      (deps.bybit ? routeBybit(sim, deps.bybit, deps.clock.now()) : undefined);
    return result ?? { status: 404, body: { code: -1, msg: `no such endpoint: ${sim.method} ${sim.path}` } };
  } catch (err) {
    // A bug here must not take the simulator down mid-test: answer like Binance's internal error.
    console.error(`exchange-sim: ${sim.method} ${sim.path} failed: ${(err as Error).message}`);
    return failure(BinanceErrors.serverError());
  }
}

function send(res: ServerResponse, r: RouteResult): void {
  sendJson(res, r.status, r.body, r.headers);
}
