import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket, type Server as TcpServer } from 'node:net';
import { SystemClock } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ReconnectReason, WsConnection, type WsConnectionOptions } from './ws-connection';

const silent = { info: () => {}, warn: () => {} };
const servers: WebSocketServer[] = [];
const connections: WsConnection[] = [];
const tcpServers: Array<{ tcp: TcpServer; accepted: Socket[] }> = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c[Symbol.asyncDispose]();
  for (const { tcp, accepted } of tcpServers.splice(0)) {
    for (const socket of accepted) socket.destroy();
    await new Promise((r) => tcp.close(r));
  }
  for (const s of servers.splice(0)) {
    for (const ws of s.clients) ws.terminate();
    await new Promise((r) => s.close(r));
  }
});

interface Server {
  url: string;
  sockets: WebSocket[];
  received: string[];
  closeCodes: number[];
}

async function server(): Promise<Server> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await once(wss, 'listening');
  const s: Server = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    sockets: [],
    received: [],
    closeCodes: [],
  };
  wss.on('connection', (ws) => {
    s.sockets.push(ws);
    ws.on('message', (d) => s.received.push(d.toString()));
    ws.on('close', (code) => s.closeCodes.push(code));
  });
  return s;
}

/** A peer that accepts TCP and reads the upgrade request but never answers it. */
async function silentPeer(): Promise<{ url: string; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const tcp = createServer((socket) => void accepted.push(socket));
  tcpServers.push({ tcp, accepted });
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  return { url: `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}/stream`, accepted };
}

function connection(url: string, overrides: Partial<WsConnectionOptions>) {
  const lost: Array<{ reason: ReconnectReason; delayMs: number }> = [];
  const opens: boolean[] = [];
  const frames: string[] = [];
  const c = new WsConnection(
    {
      venue: 'test',
      url,
      subscribeMessages: ['{"op":"subscribe"}'],
      appPing: null,
      watchdogMs: 60_000,
      handshakeTimeoutMs: 60_000,
      plannedReconnectMs: 60_000,
      backoff: { baseMs: 40, capMs: 200, stableMs: 60_000 },
      random01: () => 0.5,
      clock: new SystemClock(),
      log: silent,
      ...overrides,
    },
    {
      frame: (raw) => frames.push(raw),
      open: ({ reconnect }) => opens.push(reconnect),
      lost: (info) => lost.push(info),
    },
  );
  connections.push(c);
  c.start();
  return { c, lost, opens, frames };
}

describe('WsConnection', () => {
  it('reconnects when no frame arrives within the watchdog time and resubscribes', async () => {
    const s = await server();
    const { lost, opens } = connection(s.url, { watchdogMs: 150 });
    await waitFor(() => opens.length >= 2 && s.received.length >= 2, 'a second connection, subscribed');
    expect(lost[0]).toEqual({ reason: 'heartbeat', delayMs: 20 });
    expect(opens.slice(0, 2)).toEqual([false, true]);
    expect(s.received.slice(0, 2)).toEqual(['{"op":"subscribe"}', '{"op":"subscribe"}']);
  });

  it('reconnects at once, on its own terms, when the planned lifetime is over', async () => {
    const s = await server();
    const { lost, opens } = connection(s.url, { plannedReconnectMs: 150 });
    await waitFor(() => opens.length >= 2, 'the planned reconnect');
    expect(lost[0]).toEqual({ reason: 'planned', delayMs: 0 });
  });

  it('gives up a connect whose upgrade is never answered and retries it with backoff as connect_failed', async () => {
    const peer = await silentPeer();
    const { lost, opens } = connection(peer.url, { handshakeTimeoutMs: 150, watchdogMs: 100 });
    await waitFor(() => lost.length >= 2, 'two abandoned connects');
    expect(lost.slice(0, 2)).toEqual([
      { reason: 'connect_failed', delayMs: 20 },
      { reason: 'connect_failed', delayMs: 40 },
    ]);
    expect(peer.accepted.length).toBeGreaterThanOrEqual(2);
    expect(opens).toEqual([]);
  });

  it('backs off with growing jittered delays while the server is down, and closes cleanly on dispose', async () => {
    const s = await server();
    const { c, lost, opens, frames } = connection(s.url, {});
    await waitFor(() => opens.length === 1, 'connected');
    s.sockets[0]?.send('hello');
    await waitFor(() => frames[0] === 'hello', 'a frame');
    const port = new URL(s.url).port;
    for (const ws of s.sockets) ws.terminate();
    await new Promise((r) => servers[0]?.close(r));
    servers.splice(0);
    await waitFor(() => lost.length >= 3, 'three failed attempts');
    // random01 = 0.5: half of min(cap, base·2^attempt).
    expect(lost.slice(0, 3).map((l) => l.delayMs)).toEqual([20, 40, 80]);
    expect(lost.slice(1, 3).map((l) => l.reason)).toEqual(['connect_failed', 'connect_failed']);
    const back = new WebSocketServer({ port: Number(port), host: '127.0.0.1' });
    servers.push(back);
    const closed: number[] = [];
    back.on('connection', (ws) => ws.on('close', (code) => closed.push(code)));
    await waitFor(() => opens.length === 2, 'reconnected once the server is back');
    await c[Symbol.asyncDispose]();
    await waitFor(() => closed[0] === 1000, 'a normal close');
    expect(c.isOpen).toBe(false);
  });
});
