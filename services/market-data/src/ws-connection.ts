import type { Clock } from '@ballast/contracts';
import { BackoffState, type BackoffStateOptions } from '@ballast/core';
import WebSocket from 'ws';

/** Why a connection was replaced; the label of `ballast_md_ws_reconnects_total`. */
export type ReconnectReason = 'closed' | 'error' | 'heartbeat' | 'planned' | 'connect_failed';

export interface WsConnectionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WsConnectionOptions {
  venue: string;
  url: string;
  /** Sent after every (re)connect: the venue's subscribe requests. */
  subscribeMessages: readonly string[];
  /** An application-level ping the venue requires (Bybit), if any. */
  appPing: { intervalMs: number; message: string } | null;
  /** No frame (or server ping) for this long: the connection is dead even if TCP says otherwise. */
  watchdogMs: number;
  /**
   * A connect (TCP, TLS and the HTTP upgrade) not open within this long is abandoned as
   * `connect_failed` and retried with backoff: a peer that accepts TCP but never answers must not
   * hold the feed forever.
   */
  handshakeTimeoutMs: number;
  /** Reconnect on our terms after this long (Binance cuts connections at 24 h). */
  plannedReconnectMs: number;
  backoff: BackoffStateOptions;
  random01: () => number;
  clock: Clock;
  log: WsConnectionLog;
}

export interface WsConnectionEvents {
  frame(raw: string, receivedAt: number): void;
  /** `reconnect` is false only for the very first connection. */
  open(info: { reconnect: boolean }): void;
  /** The connection is gone; a new one is scheduled after `delayMs`. */
  lost(info: { reason: ReconnectReason; delayMs: number }): void;
}

/**
 * One venue WebSocket kept alive: exponential backoff with full jitter (reset after a stable
 * period), a watchdog on silence, a planned reconnect before the venue's own cut, resubscription
 * after every connect, and a clean close on dispose. Venue-neutral: URLs and messages come in.
 */
export class WsConnection implements AsyncDisposable {
  private socket: WebSocket | undefined;
  private readonly backoff: BackoffState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | undefined;
  private everOpened = false;
  private disposed = false;

  constructor(
    private readonly options: WsConnectionOptions,
    private readonly events: WsConnectionEvents,
  ) {
    this.backoff = new BackoffState(options.backoff, options.random01);
  }

  start(): void {
    this.connect();
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends on the current connection; false when there is none (the next connect resubscribes anyway). */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.socket?.send(text);
    return true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'shutdown');
    });
  }

  private connect(): void {
    if (this.disposed) return;
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    let reason: ReconnectReason = 'connect_failed';
    let opened = false;
    const fail = (why: ReconnectReason) => {
      reason = why;
      socket.terminate();
    };
    const handshake = this.later(this.options.handshakeTimeoutMs, () => {
      this.options.log.warn(
        { venue: this.options.venue, timeoutMs: this.options.handshakeTimeoutMs },
        'ws: no handshake in time',
      );
      fail('connect_failed');
    });
    socket.on('open', () => {
      opened = true;
      reason = 'closed';
      this.forget(handshake);
      this.onOpen(socket, fail);
    });
    socket.on('message', (data) => {
      this.feedWatchdog(fail);
      this.events.frame(data.toString(), this.options.clock.now());
    });
    socket.on('ping', () => this.feedWatchdog(fail));
    socket.on('error', (err) => {
      if (opened) reason = 'error';
      this.options.log.warn({ venue: this.options.venue, err: err.message }, 'ws: socket error');
    });
    socket.on('close', (code) => this.onClose(socket, reason, code));
  }

  private onOpen(socket: WebSocket, fail: (why: ReconnectReason) => void): void {
    const reconnect = this.everOpened;
    this.everOpened = true;
    this.backoff.connected(this.options.clock.now());
    for (const message of this.options.subscribeMessages) socket.send(message);
    this.feedWatchdog(fail);
    this.later(this.options.plannedReconnectMs, () => fail('planned'));
    const ping = this.options.appPing;
    if (ping)
      this.every(ping.intervalMs, () => socket.readyState === WebSocket.OPEN && socket.send(ping.message));
    this.options.log.info({ venue: this.options.venue, reconnect }, 'ws: connected');
    this.events.open({ reconnect });
  }

  private onClose(socket: WebSocket, reason: ReconnectReason, code: number): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.clearTimers();
    if (this.disposed) return;
    // A planned reconnect is ours, not a failure: no waiting.
    const delayMs = reason === 'planned' ? 0 : this.backoff.disconnected(this.options.clock.now());
    this.options.log.warn({ venue: this.options.venue, reason, code, delayMs }, 'ws: connection lost');
    this.events.lost({ reason, delayMs });
    this.later(delayMs, () => this.connect());
  }

  private feedWatchdog(fail: (why: ReconnectReason) => void): void {
    if (this.watchdog) this.forget(this.watchdog);
    this.watchdog = this.later(this.options.watchdogMs, () => fail('heartbeat'));
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private forget(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  private every(ms: number, fn: () => void): void {
    this.timers.add(setInterval(fn, ms));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.watchdog = undefined;
  }
}
