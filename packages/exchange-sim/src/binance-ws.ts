import type { WebSocket } from 'ws';
import { binanceDataText, type RecordedFrame } from './recorded-frame';
import type { HubConnection, StreamHub } from './stream-hub';

/**
 * Binance spot market streams: `/stream?streams=a/b` (combined, wrapped frames), `/ws/<stream>` and
 * `/ws` (raw frames), plus live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS requests.
 */
export function acceptBinanceSocket(hub: StreamHub, socket: WebSocket, url: URL): void {
  const combined = url.pathname === '/stream';
  const initial = combined
    ? (url.searchParams.get('streams') ?? '').split('/')
    : url.pathname.split('/').slice(2);
  const conn = hub.add(
    socket,
    combined,
    initial.filter((s) => s.length > 0),
  );
  socket.on('message', (data) => hub.reply(conn, answer(conn, data.toString())));
}

export function deliverBinanceFrame(hub: StreamHub, frame: RecordedFrame): void {
  let dataOnly: string | undefined;
  hub.deliver(frame.route, (conn) => {
    if (conn.combined) return frame.raw;
    dataOnly ??= binanceDataText(frame);
    return dataOnly;
  });
}

interface Request {
  method?: unknown;
  params?: unknown;
  id?: unknown;
}

function answer(conn: HubConnection, text: string): string {
  let req: Request;
  try {
    req = JSON.parse(text) as Request;
  } catch {
    return JSON.stringify({
      error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' },
      id: null,
    });
  }
  const id = typeof req.id === 'number' || typeof req.id === 'string' ? req.id : null;
  const params = Array.isArray(req.params)
    ? req.params.filter((p): p is string => typeof p === 'string')
    : [];
  switch (req.method) {
    case 'SUBSCRIBE':
      for (const p of params) conn.routes.add(p);
      return JSON.stringify({ result: null, id });
    case 'UNSUBSCRIBE':
      for (const p of params) conn.routes.delete(p);
      return JSON.stringify({ result: null, id });
    case 'LIST_SUBSCRIPTIONS':
      return JSON.stringify({ result: [...conn.routes], id });
    default:
      return JSON.stringify({
        error: { code: 2, msg: `Invalid request: unknown method ${String(req.method)}` },
        id,
      });
  }
}
