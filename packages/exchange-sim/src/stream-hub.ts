import type { WebSocket } from 'ws';

/** One client socket and the streams (Binance) or topics (Bybit) it subscribed to. */
export interface HubConnection {
  socket: WebSocket;
  routes: Set<string>;
  /** Binance: true on `/stream` (frames wrapped as `{"stream","data"}`), false on `/ws` (data only). */
  combined: boolean;
}

/**
 * The open sockets of one venue, with the connection-level faults: drop (close every socket),
 * stall (keep sockets open but send nothing, not even pongs), resume.
 */
export class StreamHub {
  private readonly connections = new Set<HubConnection>();
  private stalled = false;
  /** Pings, replies and frame deliveries swallowed while stalled (lets tests see a stall bite). */
  private suppressed = 0;

  constructor(readonly venue: string) {}

  add(socket: WebSocket, combined: boolean, routes: Iterable<string> = []): HubConnection {
    const conn: HubConnection = { socket, routes: new Set(routes), combined };
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
    // Protocol pings are answered here (autoPong is off) so a stall silences them too.
    socket.on('ping', (data) => {
      if (this.stalled) this.suppressed++;
      else socket.pong(data);
    });
    return conn;
  }

  /** Sends `render(conn)` to every connection subscribed to `route` (skipped when it returns undefined). */
  deliver(route: string, render: (conn: HubConnection) => string | undefined): void {
    if (this.stalled) {
      this.suppressed++;
      return;
    }
    for (const conn of this.connections) {
      if (!conn.routes.has(route)) continue;
      const text = render(conn);
      if (text !== undefined) this.send(conn, text);
    }
  }

  /** A reply to one client's request; silenced while stalled like everything else. */
  reply(conn: HubConnection, text: string): void {
    if (this.stalled) this.suppressed++;
    else this.send(conn, text);
  }

  /** Sends text as-is to every connection (malformed-frame injection). */
  broadcastRaw(text: string): number {
    for (const conn of this.connections) this.send(conn, text);
    return this.connections.size;
  }

  /** Cuts every connection without a close handshake, as a network failure would. */
  dropAll(): number {
    const n = this.connections.size;
    for (const conn of this.connections) conn.socket.terminate();
    this.connections.clear();
    return n;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
  }

  isStalled(): boolean {
    return this.stalled;
  }

  suppressedCount(): number {
    return this.suppressed;
  }

  count(): number {
    return this.connections.size;
  }

  private send(conn: HubConnection, text: string): void {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(text);
  }
}
