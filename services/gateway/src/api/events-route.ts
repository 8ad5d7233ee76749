import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { LiveState } from '../live/live-state';

const HEARTBEAT_MS = 15_000;

/** Server-sent events: every live bus event as `event: <kind>` with the JSON in `data`. */
export function registerEventStream(app: FastifyInstance, live: LiveState, metrics: Registry): void {
  const clients = new Gauge({
    name: 'ballast_gateway_sse_clients',
    help: 'Open live-event streams',
    registers: [metrics],
  });
  const open = new Set<ServerResponse>();
  app.get('/api/events', { schema: { summary: 'Live events (text/event-stream)' } }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    clients.inc();
    const off = live.onEvent((event) => {
      res.write(`event: ${event.kind}\nid: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const close = () => {
      off();
      clearInterval(heartbeat);
      clients.dec();
    };
    open.add(res);
    req.raw.once('close', () => {
      open.delete(res);
      close();
    });
  });
  // Streams never end on their own; closing the server must end them or it waits forever.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
}
