import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Login, login, PASSWORDS, startHarness } from './testing/harness';

const SESSION_TTL_MS = 3_000;
let h: Harness;

beforeAll(async () => {
  h = await startHarness('gw_events', {
    GATEWAY_SESSION_TTL_MS: String(SESSION_TTL_MS),
    GATEWAY_SSE_HEARTBEAT_MS: '200',
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** Opens /api/events as `who` and reads it to its end; `text` holds what came so far. */
async function openStream(who: Login) {
  const res = await fetch(`${h.gateway.url}/api/events`, { headers: { cookie: who.cookie } });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const stream = { text: '', ended: false, endedAt: 0 };
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stream.text += new TextDecoder().decode(value);
    }
    stream.ended = true;
    stream.endedAt = Date.now();
  })();
  return stream;
}

const clients = async () =>
  (await h.metrics.getSingleMetric('ballast_gateway_sse_clients')?.get())?.values[0]?.value;

describe('live-event streams end with their session', () => {
  it('ends an open stream when its session logs out', async () => {
    const viewer = await login(h.gateway.url, 'victor', PASSWORDS.view);
    const stream = await openStream(viewer);
    await waitFor(() => stream.text.includes(': connected'), 'the stream open');
    const logout = await fetch(`${h.gateway.url}/api/logout`, {
      method: 'POST',
      headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrfToken },
    });
    expect(logout.status).toBe(204);
    await waitFor(() => stream.ended, 'the stream ended by the logout', { timeoutMs: 5_000 });
    await waitFor(async () => (await clients()) === 0, 'no open stream counted');
  });

  it('ends an open stream at the first heartbeat after its session expired', async () => {
    const operator = await login(h.gateway.url, 'olivia', PASSWORDS.op);
    const loggedInAt = Date.now();
    const stream = await openStream(operator);
    await waitFor(() => stream.text.includes(': heartbeat'), 'a heartbeat on the open stream');
    await waitFor(() => stream.ended, 'the stream ended by the expiry', {
      timeoutMs: SESSION_TTL_MS + 5_000,
    });
    expect(stream.endedAt - loggedInAt).toBeGreaterThanOrEqual(SESSION_TTL_MS);
    const again = await fetch(`${h.gateway.url}/api/events`, { headers: { cookie: operator.cookie } });
    expect(again.status).toBe(401);
    await waitFor(async () => (await clients()) === 0, 'no open stream counted');
  });
});
