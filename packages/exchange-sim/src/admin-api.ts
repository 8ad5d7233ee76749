import type { FrameFault } from './frame-faults';
import type { HttpFaultSpec } from './http-faults';
import { ok, type RouteResult, type SimRequest } from './http-io';
import type { ReplaySpeed } from './replay-feed';
import type { FeedName, SimControls, Venue } from './sim-controls';

interface AdminBody {
  feed?: FeedName;
  venue?: Venue;
  count?: number;
  text?: string;
  asset?: string;
  free?: string;
  locked?: string;
}

type AdminAction = (c: SimControls, b: AdminBody & Record<string, unknown>) => unknown;

/** `/_sim/*`: the controls over HTTP (JSON body), for tests running the simulator in another process. */
const actions: Record<string, AdminAction> = {
  'GET /_sim/state': (c) => c.state(),
  'POST /_sim/replay/start': (c, b) => c.start(b.feed),
  'POST /_sim/replay/pause': (c, b) => c.pause(b.feed),
  'POST /_sim/replay/speed': (c, b) => c.setSpeed(b as unknown as ReplaySpeed, b.feed),
  'POST /_sim/replay/step': (c, b) => ({ stepped: c.step(b.count ?? 1, b.feed) }),
  'POST /_sim/frames/fault': (c, b) => c.injectFrameFault(b as unknown as FrameFault, b.feed),
  'POST /_sim/frames/clear': (c, b) => c.clearFrameFaults(b.feed),
  'POST /_sim/ws/drop': (c, b) => ({ dropped: c.dropConnections(b.venue) }),
  'POST /_sim/ws/stall': (c, b) => c.stall(b.venue),
  'POST /_sim/ws/resume': (c, b) => c.resume(b.venue),
  'POST /_sim/ws/send-raw': (c, b) => ({ sent: c.sendRaw(String(b.text ?? ''), b.venue) }),
  'POST /_sim/http/fault': (c, b) => c.failHttp(b as unknown as HttpFaultSpec),
  'POST /_sim/http/clear': (c) => c.clearHttpFaults(),
  'POST /_sim/account/balance': (c, b) => c.setBalance(String(b.asset), String(b.free), b.locked),
  'POST /_sim/orders/refuse-stops': (c, b) => c.refuseStops(b.count ?? 1),
};

export function routeAdmin(req: SimRequest, controls: SimControls): RouteResult | undefined {
  if (!req.path.startsWith('/_sim/')) return undefined;
  const action = actions[`${req.method} ${req.path}`];
  if (!action)
    return {
      status: 404,
      body: { error: `no admin action ${req.method} ${req.path}`, reason: 'unknown_action' },
    };
  let body: AdminBody & Record<string, unknown>;
  try {
    body = req.rawBody ? (JSON.parse(req.rawBody) as AdminBody & Record<string, unknown>) : {};
  } catch {
    return { status: 400, body: { error: 'body is not JSON', reason: 'invalid_json' } };
  }
  try {
    return ok(action(controls, body) ?? { ok: true });
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? 'invalid_request';
    return { status: 400, body: { error: (err as Error).message, reason } };
  }
}
