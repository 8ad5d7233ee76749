import { type ControlAck, type KillCommand, type ResumeCommand, Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, PASSWORDS, startHarness } from './testing/harness';

let h: Harness;
let url: string;
const kills: Array<{ payload: KillCommand; id: string }> = [];
const resumes: Array<{ payload: ResumeCommand; id: string }> = [];

beforeAll(async () => {
  h = await startHarness('gw_security', { GATEWAY_LOGIN_MAX_PER_USER: '3', GATEWAY_LOGIN_MAX_PER_IP: '25' });
  url = h.gateway.url;
  await h.publisher.subscribe(
    subject(Subjects.kill, {}),
    (m) => void kills.push({ payload: m.payload, id: m.id }),
    {
      durable: 'security-test-kills',
    },
  );
  await h.publisher.subscribe(
    subject(Subjects.resume, {}),
    (m) => void resumes.push({ payload: m.payload, id: m.id }),
    { durable: 'security-test-resumes' },
  );
}, 120_000);

afterAll(async () => {
  await h?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;
const json = async (res: Response): Promise<Json> => res.json();

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('gateway security', () => {
  it('refuses every API route without a session with 401', async () => {
    for (const path of [
      '/api/positions',
      '/api/decisions',
      '/api/events',
      '/api/openapi.json',
      '/api/control',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await json(res)).toEqual({ error: 'unauthenticated', message: 'log in first' });
    }
    const kill = await post('/api/control/kill', { flatten: false, reason: 'no session' });
    expect(kill.status).toBe(401);
  });

  it('refuses every spelling of an API path without a session with 401, never with data', async () => {
    // The router decodes the path before matching (`/%61pi/risk` is served by /api/risk): each of
    // these answered 200 with the data (the SSE stream included) when the guard read the raw URL.
    const paths = [
      '/%61pi/risk',
      '/%61pi/control',
      '/%61pi/governance',
      '/%61pi/llm-audit',
      '/%61pi/openapi.json',
      '/%61pi/events',
      '/%61%70%69/positions',
      '/ap%69/decisions',
      '/%2561pi/risk',
      '/API/risk',
      '/Api/control',
      '//api/risk',
      '/api//control',
      '/%2Fapi/risk',
      '/%61pi/no-such-route',
      '/api/no-such-route',
    ];
    for (const path of paths) {
      const abort = new AbortController();
      const res = await fetch(`${url}${path}`, { signal: abort.signal });
      const status = res.status;
      if (status !== 401) abort.abort();
      const body = status === 401 ? await json(res) : null;
      expect({ path, status, body }).toEqual({
        path,
        status: 401,
        body: { error: 'unauthenticated', message: 'log in first' },
      });
    }
  });

  it('refuses an encoded kill without a session with 401, publishing and recording nothing', async () => {
    const before = kills.length;
    const res = await post('/%61pi/control/kill', { flatten: true, reason: 'encoded, no session' });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: 'unauthenticated', message: 'log in first' });
    const viewer = await login(url, 'victor', PASSWORDS.view);
    const control = await json(await fetch(`${url}/api/control`, { headers: { cookie: viewer.cookie } }));
    expect(control.actions.some((a: Json) => a.reason === 'encoded, no session')).toBe(false);
    expect(kills.length).toBe(before);
  });

  it('guards an encoded route as the route it reaches, and answers unknown spellings 404', async () => {
    const viewer = await login(url, 'victor', PASSWORDS.view);
    const kill = await post(
      '/%61pi/control/kill',
      { flatten: false, reason: 'viewer, encoded' },
      { cookie: viewer.cookie, 'x-csrf-token': viewer.csrfToken },
    );
    expect(kill.status).toBe(403);
    expect(await json(kill)).toEqual({ error: 'forbidden', message: 'operator role required' });
    const noCsrf = await post(
      '/%61pi/control/kill',
      { flatten: false, reason: 'x' },
      { cookie: viewer.cookie },
    );
    expect(noCsrf.status).toBe(403);
    expect((await json(noCsrf)).error).toBe('csrf');
    // With a session, a spelling no route matches is the API's 404, not the dashboard's shell.
    for (const path of ['/API/risk', '//api/risk', '/%2561pi/risk']) {
      const res = await fetch(`${url}${path}`, { headers: { cookie: viewer.cookie } });
      expect({ path, status: res.status, body: await json(res) }).toEqual({
        path,
        status: 404,
        body: { error: 'not_found', message: 'no such route' },
      });
    }
  });

  it('refuses a wrong password with 401 and sets no cookie', async () => {
    const res = await post('/api/login', { user: 'olivia', password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe('invalid_credentials');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie on login', async () => {
    const res = await post('/api/login', { user: 'victor', password: PASSWORDS.view });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^ballast_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const body = await json(res);
    expect(body).toEqual({
      user: 'victor',
      role: 'viewer',
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('refuses a viewer calling kill with 403, records the refusal and publishes nothing', async () => {
    const viewer = await login(url, 'victor', PASSWORDS.view);
    const res = await post(
      '/api/control/kill',
      { flatten: true, reason: 'viewer tries' },
      { cookie: viewer.cookie, 'x-csrf-token': viewer.csrfToken },
    );
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: 'forbidden', message: 'operator role required' });
    const control = await json(await fetch(`${url}/api/control`, { headers: { cookie: viewer.cookie } }));
    expect(control.actions[0]).toMatchObject({
      action: 'kill',
      actor: 'victor',
      role: 'viewer',
      outcome: 'refused',
      reason: 'viewer tries',
      commandId: null,
    });
    expect(control.state.engaged).toBe(false);
  });

  it('refuses a body too large with 413, one in a type it does not read with 415, and a POST to no route with 404, typed', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const headers = { cookie: op.cookie, 'x-csrf-token': op.csrfToken };
    const large = await post('/api/control/kill', { flatten: false, reason: 'x'.repeat(20_000) }, headers);
    expect(large.status).toBe(413);
    expect(await json(large)).toMatchObject({ error: 'payload_too_large' });
    const xml = await fetch(`${url}/api/control/kill`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/xml' },
      body: '<kill/>',
    });
    expect(xml.status).toBe(415);
    expect(await json(xml)).toMatchObject({ error: 'unsupported_media_type' });
    const typo = await post('/api/control/kil', { flatten: false, reason: 'typo' }, headers);
    expect(typo.status).toBe(404);
    expect(await json(typo)).toEqual({ error: 'not_found', message: 'no such route' });
  });

  it('refuses a state-changing request with a missing or wrong CSRF token with 403', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const missing = await post('/api/control/kill', { flatten: false, reason: 'x' }, { cookie: op.cookie });
    expect(missing.status).toBe(403);
    expect((await json(missing)).error).toBe('csrf');
    const wrong = await post(
      '/api/control/kill',
      { flatten: false, reason: 'x' },
      // Change the last character to one it is not (a fixed 'A' matched the real token 1 time in 64).
      {
        cookie: op.cookie,
        'x-csrf-token': `${op.csrfToken.slice(0, -1)}${op.csrfToken.endsWith('A') ? 'B' : 'A'}`,
      },
    );
    expect(wrong.status).toBe(403);
    expect((await json(wrong)).error).toBe('csrf');
    // Another session's token is as wrong as a made-up one.
    const other = await login(url, 'olivia', PASSWORDS.op);
    const crossed = await post(
      '/api/control/kill',
      { flatten: false, reason: 'x' },
      { cookie: op.cookie, 'x-csrf-token': other.csrfToken },
    );
    expect(crossed.status).toBe(403);
    const logout = await post('/api/logout', {}, { cookie: op.cookie });
    expect(logout.status).toBe(403);
  });

  it('publishes an operator kill on control.kill as the CLI does, and records who and when', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const before = Date.now();
    const res = await post(
      '/api/control/kill',
      { flatten: true, reason: 'test kill' },
      { cookie: op.cookie, 'x-csrf-token': op.csrfToken },
    );
    expect(res.status).toBe(200);
    const { commandId } = await json(res);
    const seen = await waitFor(() => kills.find((k) => k.id === commandId), 'control.kill on the bus', {
      timeoutMs: 20_000,
    });
    expect(seen.payload).toEqual({ flatten: true, reason: 'test kill', requestedBy: 'gateway:olivia' });
    const ack: ControlAck = {
      service: 'risk',
      // Two venues' services answer one kill: the venue tells them apart.
      exchange: 'binance',
      command: 'kill',
      commandId,
      engaged: true,
      detail: 'entries blocked',
    };
    await h.publisher.publish(subject(Subjects.controlAck, {}), ack);
    const controlWith = (acks: number, what: string) =>
      waitFor(
        async () => {
          const c = await json(await fetch(`${url}/api/control`, { headers: { cookie: op.cookie } }));
          return c.state.acks.length === acks ? c : undefined;
        },
        what,
        { timeoutMs: 20_000 },
      );
    const control = await controlWith(1, 'the kill engaged and acknowledged');
    expect(control.state).toMatchObject({
      engaged: true,
      flatten: true,
      reason: 'test kill',
      requestedBy: 'gateway:olivia',
      commandId,
      acks: [ack],
    });
    expect(control.actions[0]).toMatchObject({
      action: 'kill',
      actor: 'olivia',
      role: 'operator',
      outcome: 'published',
      flatten: true,
      commandId,
    });
    expect(control.actions[0].at).toBeGreaterThanOrEqual(before);
    // orders (GATEWAY_CONTROL_SERVICES defaults to risk,orders) has not answered: the dashboard must say so.
    expect(control.state.unanswered).toEqual(['orders']);
    await h.publisher.publish(subject(Subjects.controlAck, {}), {
      ...ack,
      service: 'orders',
      detail: 'flat',
    });
    const answered = await controlWith(2, 'the orders ack read');
    expect(answered.state.unanswered).toEqual([]);
  });

  it('answers a kill retried with the same Idempotency-Key with the same command, published and recorded once', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const headers = { cookie: op.cookie, 'x-csrf-token': op.csrfToken, 'idempotency-key': 'press-1' };
    const body = { flatten: true, reason: 'keyed kill' };
    const first = await json(await post('/api/control/kill', body, headers));
    const again = await post('/api/control/kill', body, headers);
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ commandId: first.commandId });
    // Another key is another command.
    const other = await json(
      await post('/api/control/kill', body, { ...headers, 'idempotency-key': 'press-2' }),
    );
    expect(other.commandId).not.toBe(first.commandId);
    // The key reused for another kill (no flatten) is that other command, not the first one answered.
    const changed = await json(await post('/api/control/kill', { ...body, flatten: false }, headers));
    expect(changed.commandId).not.toBe(first.commandId);
    await waitFor(() => kills.find((k) => k.id === changed.commandId), 'the changed kill on the bus', {
      timeoutMs: 20_000,
    });
    await waitFor(() => kills.find((k) => k.id === other.commandId), 'the second key on the bus', {
      timeoutMs: 20_000,
    });
    expect(kills.filter((k) => k.id === first.commandId)).toHaveLength(1);
    const rows = await sql<{ n: string }>`
      select count(*) as n from control_actions where command_id = ${first.commandId}`.execute(h.db);
    expect(Number(rows.rows[0]!.n)).toBe(1);
  });

  it('answers a published kill with 200 and its id when its audit record cannot be written, and counts it', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const failures = async () =>
      (await h.metrics.getSingleMetric('ballast_gateway_control_audit_failures_total')?.get())?.values.find(
        (v) => v.labels.action === 'kill',
      )?.value;
    const before = await failures();
    // The audit table gone: the insert fails after the publish, as with the database unreachable.
    await sql`alter table control_actions rename to control_actions_away`.execute(h.db);
    try {
      const res = await post(
        '/api/control/kill',
        { flatten: false, reason: 'audit down' },
        { cookie: op.cookie, 'x-csrf-token': op.csrfToken },
      );
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toEqual({ commandId: expect.any(String), audit: 'not stored' });
      await waitFor(() => kills.find((k) => k.id === body.commandId), 'control.kill on the bus', {
        timeoutMs: 20_000,
      });
      expect(await failures()).toBe((before ?? 0) + 1);
      expect(h.logLines.some((l) => l.includes('control action not recorded'))).toBe(true);
    } finally {
      await sql`alter table control_actions_away rename to control_actions`.execute(h.db);
    }
  });

  it('limits logins per user with 429 and a Retry-After, even with the right password', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post('/api/login', { user: 'mallory', password: `guess-${i}` })).status);
    const limited = await post('/api/login', { user: 'mallory', password: 'guess-3' });
    expect(statuses).toEqual([401, 401, 401]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(limited)).error).toBe('rate_limited');
  });

  it('limits logins per client address across user names with 429', async () => {
    const res = await h.gateway.app.inject({
      method: 'POST',
      url: '/api/login',
      remoteAddress: '203.0.113.9',
      payload: { user: 'a', password: 'b' },
    });
    expect(res.statusCode).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await h.gateway.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: '203.0.113.9',
        payload: { user: `user${i}`, password: 'b' },
      });
      statuses.push(r.statusCode);
    }
    // 25 allowed per address: the first attempt and 24 more are judged, the 26th is refused unread.
    expect(statuses.slice(0, 24)).toEqual(Array(24).fill(401));
    expect(statuses[24]).toBe(429);
  });

  it("publishes an operator's resume as the CLI does, clearing the drawdown halt only when asked", async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const headers = { cookie: op.cookie, 'x-csrf-token': op.csrfToken };
    const plain = await json(await post('/api/control/resume', { reason: 'venue back' }, headers));
    const clearing = await json(
      await post('/api/control/resume', { reason: 'losses reviewed', clearDrawdown: true }, headers),
    );
    await waitFor(() => resumes.length === 2, 'both resumes on the bus');
    expect(resumes).toEqual([
      {
        id: plain.commandId,
        payload: { confirm: true, reason: 'venue back', requestedBy: 'gateway:olivia' },
      },
      {
        id: clearing.commandId,
        payload: {
          confirm: true,
          reason: 'losses reviewed',
          requestedBy: 'gateway:olivia',
          clearDrawdown: true,
        },
      },
    ]);
    const wrongType = await post('/api/control/resume', { reason: 'x', clearDrawdown: 'yes' }, headers);
    expect(wrongType.status).toBe(400);
  });

  it('serves an OpenAPI document listing the typed routes', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    const doc = await json(await fetch(`${url}/api/openapi.json`, { headers: { cookie: op.cookie } }));
    expect(doc.openapi).toBe('3.0.3');
    for (const path of [
      '/api/positions',
      '/api/orders',
      '/api/trades',
      '/api/equity',
      '/api/pnl',
      '/api/decisions/{id}',
      '/api/risk',
      '/api/readiness',
      '/api/health',
      '/api/llm-audit',
      '/api/control/kill',
      '/api/control/resume',
      '/api/events',
    ])
      expect(Object.keys(doc.paths), path).toContain(path);
    expect(
      doc.paths['/api/control/kill'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['flatten', 'reason']);
  });

  it('never logs an unknown user name a failed login typed: it may be a password in the wrong field', async () => {
    const typed = `${PASSWORDS.view}-typed-as-user`;
    const before = h.logLines.length;
    await post('/api/login', { user: typed, password: 'anything' });
    const text = h.logLines.slice(before).join('\n');
    expect(text).toContain('login refused');
    expect(text.includes(typed), 'the typed name in the log').toBe(false);
    expect(text).toContain('"knownUser":false');
  });

  it('never writes passwords, hashes, session ids or CSRF tokens to its log', async () => {
    const op = await login(url, 'olivia', PASSWORDS.op);
    await post('/api/login', { user: 'olivia', password: `${PASSWORDS.op}-wrong` });
    await post(
      '/api/control/kill',
      { flatten: false, reason: 'x' },
      { cookie: op.cookie, 'x-csrf-token': 'bad' },
    );
    const text = h.logLines.join('\n');
    expect(text).toContain('logged in');
    expect(text).toContain('login refused');
    const sessionId = op.cookie.split('=')[1] as string;
    for (const secret of [PASSWORDS.op, PASSWORDS.view, h.hashes.op, h.hashes.view, sessionId, op.csrfToken])
      expect(text.includes(secret), 'a secret in the log').toBe(false);
  });
});
