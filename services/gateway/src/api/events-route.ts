import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { Session, SessionStore } from '../auth/sessions';
import type { LiveState } from '../live/live-state';

export interface EventStreamDeps {
  live: LiveState;
  sessions: SessionStore;
  metrics: Registry;
  heartbeatMs: number;
}

/**
 * Server-sent events: every live bus event as `event: <kind>` with the JSON in `data`. A stream lasts
 * no longer than the session that opened it: it ends at its logout (or a new login in its place), and
 * at the first heartbeat after it expired.
 */
export function registerEventStream(app: FastifyInstance, deps: EventStreamDeps): void {
  const { live, sessions } = deps;
  const clients = new Gauge({
    name: 'ballast_gateway_sse_clients',
    help: 'Open live-event streams',
    registers: [deps.metrics],
  });
  const open = new Set<ServerResponse>();
  app.get('/api/events', { schema: { summary: 'Live events (text/event-stream)' } }, (req, reply) => {
    const sessionId = (req.session as Session).id;
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
    const heartbeat = setInterval(() => {
      if (sessions.get(sessionId)) res.write(': heartbeat\n\n');
      else res.end();
    }, deps.heartbeatMs);
    const offEnd = sessions.onEnd((id) => {
      if (id === sessionId) res.end();
    });
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      off();
      offEnd();
      clearInterval(heartbeat);
      clients.dec();
    });
  });
  // Streams never end on their own; closing the server must end them or it waits forever.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
}
