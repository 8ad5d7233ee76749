import type { Clock } from '@ballast/contracts';
import type { Logger } from '@ballast/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { errorSchema, refuse } from '../api/api-error';
import { isApiPath } from './api-path';
import { clearedCookie, readCookie, sessionCookie, sessionCookieName } from './cookies';
import { LoginRateLimiter } from './login-rate-limiter';
import { hashPassword, verifyPassword } from './password';
import { type Session, type SessionStore, sameToken } from './sessions';
import type { Role, User } from './users';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

export interface AuthOptions {
  users: ReadonlyMap<string, User>;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  secureCookies: boolean;
  /** Shared with the live-event stream, which ends with its session. */
  sessions: SessionStore;
  login: { windowMs: number; maxPerIp: number; maxPerUser: number };
  /** GET-only API paths open without a session (the opt-in public results). */
  publicReadPaths?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Paths reachable without a session: the login itself and the static dashboard shell.
const PUBLIC_API = new Set(['/api/login']);

const sessionSchema = {
  type: 'object',
  required: ['user', 'role', 'csrfToken'],
  properties: {
    user: { type: 'string' },
    role: { type: 'string', enum: ['viewer', 'operator'] },
    csrfToken: { type: 'string' },
  },
} as const;

/**
 * Login, logout and the guards every /api route passes: a session (401), a CSRF token on every
 * state-changing request (403), and the role a route requires (403).
 */
export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const { sessions } = options;
  const limiter = new LoginRateLimiter(options.clock, options.login);
  const cookieName = sessionCookieName(options.secureCookies);
  const refusals = new Counter({
    name: 'ballast_gateway_refusals_total',
    help: 'API requests refused, by reason',
    labelNames: ['reason'],
    registers: [options.metrics],
  });
  const logins = new Counter({
    name: 'ballast_gateway_logins_total',
    help: 'Login attempts by outcome',
    labelNames: ['outcome'],
    registers: [options.metrics],
  });
  // Born at 0, so panels and rates over them exist before the first of each.
  for (const reason of ['unauthenticated', 'csrf', 'rate_limited']) refusals.inc({ reason }, 0);
  for (const outcome of ['ok', 'refused', 'rate_limited']) logins.inc({ outcome }, 0);
  // Unknown users still cost one scrypt, so timing does not tell which names exist.
  const decoy = await hashPassword('decoy password that never matches');

  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req, reply) => {
    // Judged by the route the router matched (it decodes the path: `/%61pi/risk` is `/api/risk`) and,
    // for paths no /api route matched, by the decoded path, so unknown API paths answer 401 as well.
    const route = req.routeOptions.url;
    if (!route?.startsWith('/api/') && !isApiPath(req.url)) return;
    req.session = sessions.get(readCookie(req.headers.cookie, cookieName)) ?? null;
    const path = route ?? req.url.split('?')[0] ?? '';
    if (PUBLIC_API.has(path)) return;
    if (req.method === 'GET' && options.publicReadPaths?.includes(path)) return;
    if (!req.session) {
      refusals.inc({ reason: 'unauthenticated' });
      return refuse(reply, 'unauthenticated', 'log in first');
    }
    if (!SAFE_METHODS.has(req.method) && !sameToken(req.session.csrfToken, req.headers['x-csrf-token'])) {
      refusals.inc({ reason: 'csrf' });
      options.log.warn({ user: req.session.user, path, method: req.method }, 'csrf token missing or wrong');
      return refuse(reply, 'csrf', 'missing or wrong x-csrf-token');
    }
  });

  app.post<{ Body: { user: string; password: string } }>(
    '/api/login',
    {
      schema: {
        summary: 'Log in; sets the session cookie and returns the CSRF token',
        body: {
          type: 'object',
          required: ['user', 'password'],
          additionalProperties: false,
          properties: {
            user: { type: 'string', maxLength: 64 },
            password: { type: 'string', maxLength: 1024 },
          },
        },
        response: { 200: sessionSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const { user, password } = req.body;
      const allowance = limiter.attempt(req.ip, user);
      if (!allowance.ok) {
        logins.inc({ outcome: 'rate_limited' });
        refusals.inc({ reason: 'rate_limited' });
        options.log.warn(
          { ...loggedUser(options.users, user), ip: req.ip, limit: allowance.key },
          'login rate limited',
        );
        reply.header('retry-after', String(Math.ceil(allowance.retryAfterMs / 1000)));
        return refuse(
          reply,
          'rate_limited',
          `too many login attempts; retry in ${Math.ceil(allowance.retryAfterMs / 1000)} s`,
        );
      }
      const known = options.users.get(user);
      const ok = await verifyPassword(password, known?.scryptHash ?? decoy);
      if (!known || !ok) {
        // Every name alike, known or not: a lock only known names earned would tell which exist.
        limiter.failed(user);
        logins.inc({ outcome: 'refused' });
        options.log.warn({ ...loggedUser(options.users, user), ip: req.ip }, 'login refused');
        return refuse(reply, 'invalid_credentials', 'wrong user name or password');
      }
      limiter.succeeded(user);
      if (req.session) sessions.delete(req.session.id);
      const session = sessions.create(known.name, known.role);
      logins.inc({ outcome: 'ok' });
      options.log.info({ user: known.name, role: known.role, ip: req.ip }, 'logged in');
      reply.header(
        'set-cookie',
        sessionCookie(cookieName, session.id, {
          secure: options.secureCookies,
          maxAgeMs: sessions.ttlMs,
        }),
      );
      return { user: session.user, role: session.role, csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/api/session',
    { schema: { summary: 'Who is logged in, and the CSRF token', response: { 200: sessionSchema } } },
    async (req) => {
      const s = req.session as Session;
      return { user: s.user, role: s.role, csrfToken: s.csrfToken };
    },
  );

  app.post(
    '/api/logout',
    { schema: { summary: 'Ends the session', response: { 204: { type: 'null' } } } },
    async (req, reply) => {
      sessions.delete((req.session as Session).id);
      reply.header('set-cookie', clearedCookie(cookieName, options.secureCookies));
      return reply.code(204).send();
    },
  );
}

/** A preHandler that lets only `role` through. */
export function requireRole(role: Role, onRefuse: (req: FastifyRequest) => Promise<void> | void) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.session?.role === role) return;
    // Only a route the session guard skipped gets here without a session; it is refused, unrecorded.
    if (!req.session) return refuse(reply, 'unauthenticated', 'log in first');
    await onRefuse(req);
    return refuse(reply, 'forbidden', `${role} role required`);
  };
}

/**
 * A refused login's user name for the log: a configured user's name, else none. An unknown name is often a
 * password typed into the wrong field, and a log line would keep it (a hash of it would be as good to a guesser).
 */
function loggedUser(
  users: ReadonlyMap<string, User>,
  typed: string,
): { user: string } | { knownUser: false } {
  return users.has(typed) ? { user: typed } : { knownUser: false };
}
