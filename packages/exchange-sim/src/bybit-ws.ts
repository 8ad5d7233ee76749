import type { WebSocket } from 'ws';
import type { BybitBooks } from './bybit-book';
import type { RecordedFrame } from './recorded-frame';
import type { HubConnection, StreamHub } from './stream-hub';

/**
 * Bybit v5 public streams: `{"op":"subscribe","args":[…]}`, `unsubscribe` and `ping`. As Bybit does,
 * a subscription to an order book is answered with a snapshot of the current book (once there is one),
 * then deltas: how a client rebuilds a broken book.
 */
export function acceptBybitSocket(
  hub: StreamHub,
  socket: WebSocket,
  venue: { ack: BybitAck; books: BybitBooks; refusals: SubscribeRefusals },
): void {
  const conn = hub.add(socket, false);
  socket.on('message', (data) => {
    const text = data.toString();
    const refusal = venue.refusals.take(subscribedTopics(text));
    if (refusal !== undefined) {
      hub.reply(conn, reply(venue.ack, false, refusal, requestIdOf(text), 'subscribe'));
      return;
    }
    hub.reply(conn, answer(conn, text, venue.ack));
    for (const topic of subscribedTopics(text)) {
      const snapshot = venue.books.snapshotFrame(topic);
      if (snapshot !== undefined) hub.reply(conn, snapshot);
    }
  });
}

/** A replayed frame on its own topic, and the book views derived from it on theirs. */
export function deliverBybitFrame(hub: StreamHub, frame: RecordedFrame, books: BybitBooks): void {
  hub.deliver(frame.route, () => frame.raw);
  for (const view of books.derivedOf(frame)) hub.deliver(view.route, () => view.raw);
}

function subscribedTopics(text: string): string[] {
  try {
    const req = JSON.parse(text) as { op?: unknown; args?: unknown };
    if (req.op !== 'subscribe' || !Array.isArray(req.args)) return [];
    return req.args.filter((a): a is string => typeof a === 'string');
  } catch {
    return [];
  }
}

/**
 * Fault injection: the next `count` subscribe requests naming a topic that starts with `topicPrefix`
 * are refused as Bybit refuses one (`success: false`, the request's `req_id` echoed), subscribing nothing.
 */
export class SubscribeRefusals {
  private left = 0;
  private topicPrefix = '';

  refuse(count: number, topicPrefix = ''): void {
    this.left = count;
    this.topicPrefix = topicPrefix;
  }

  /** The refusal's `ret_msg` for a subscribe request naming `topics`, if one is pending for them. */
  take(topics: readonly string[]): string | undefined {
    const hit = topics.find((t) => t.startsWith(this.topicPrefix));
    if (this.left <= 0 || hit === undefined) return undefined;
    this.left--;
    return `error:subscribe failed,topic:${hit}`;
  }
}

function requestIdOf(text: string): string {
  try {
    const req = JSON.parse(text) as { req_id?: unknown };
    return typeof req.req_id === 'string' ? req.req_id : '';
  } catch {
    return '';
  }
}

/** The recorded subscribe acknowledgement; answers reuse its fields (and text when nothing differs). */
export interface BybitAck {
  raw: string;
  connId: string;
}

/** Picks the first recorded subscribe ack from a Bybit recording. */
export function recordedBybitAck(frames: readonly RecordedFrame[]): BybitAck {
  const ack = frames.find((f) => f.route === 'op:subscribe');
  const connId = (ack?.data as { conn_id?: unknown } | undefined)?.conn_id;
  if (!ack || typeof connId !== 'string') {
    return { raw: '{"success":true,"ret_msg":"","conn_id":"","req_id":"","op":"subscribe"}', connId: '' };
  }
  return { raw: ack.raw, connId };
}

function answer(conn: HubConnection, text: string, ack: BybitAck): string {
  let req: { op?: unknown; args?: unknown; req_id?: unknown };
  try {
    req = JSON.parse(text) as typeof req;
  } catch {
    return reply(ack, false, 'error:invalid json', '', 'unknown');
  }
  const reqId = typeof req.req_id === 'string' ? req.req_id : '';
  const args = Array.isArray(req.args) ? req.args.filter((a): a is string => typeof a === 'string') : [];
  switch (req.op) {
    case 'subscribe':
      for (const a of args) conn.routes.add(a);
      return reqId === '' ? ack.raw : reply(ack, true, '', reqId, 'subscribe');
    case 'unsubscribe':
      for (const a of args) conn.routes.delete(a);
      return reply(ack, true, '', reqId, 'unsubscribe');
    case 'ping':
      return reply(ack, true, 'pong', reqId, 'ping');
    default:
      return reply(ack, false, `error:handler not found,topic:${String(req.op)}`, reqId, String(req.op));
  }
}

function reply(ack: BybitAck, success: boolean, retMsg: string, reqId: string, op: string): string {
  return JSON.stringify({ success, ret_msg: retMsg, conn_id: ack.connId, req_id: reqId, op });
}
