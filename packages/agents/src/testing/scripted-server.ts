import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One scripted answer: a status with headers and body, no answer at all (a hung server), or a status
 * and the start of a body that never ends (a reply stalled mid-body) or whose connection then drops (a
 * reply cut mid-body), or a connection closed once the request is read, before any answer.
 */
export type ScriptedReply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body: string }
  | { readonly hang: true }
  | { readonly status: number; readonly stallAfter: string }
  | { readonly status: number; readonly cutAfter: string }
  | { readonly drop: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface ScriptedServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies are served in order; when they run out, the responder answers (default: 599, so a test sees it). */
  enqueue(...replies: ScriptedReply[]): void;
  /** Answers requests once the queue is empty: a server that replies by what it was asked. */
  respondWith(responder: (request: RecordedRequest) => ScriptedReply): void;
  close(): Promise<void>;
}

/** A local HTTP server that speaks whatever wire format its scripted replies carry. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  let responder = (_request: RecordedRequest): ScriptedReply => ({
    status: 599,
    body: '{"error":"script exhausted"}',
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const reply = queue.shift() ?? responder(request);
      if ('hang' in reply) return;
      if ('drop' in reply) return void req.socket.destroy();
      if ('cutAfter' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.write(reply.cutAfter, () => res.socket?.destroy());
        return;
      }
      if ('stallAfter' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.write(reply.stallAfter);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    respondWith: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
