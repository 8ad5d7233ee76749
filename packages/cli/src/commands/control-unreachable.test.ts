import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTROL_EXIT, publishAndWait } from './control';

/** A local port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('ballast kill with NATS unreachable', () => {
  it('says the kill was NOT published and exits 5, not 1 as a sent kill with a silent service, and keeps the password out', async () => {
    const port = await closedPort();
    vi.stubEnv('NATS_URL', `nats://cli:hunter2-secret@127.0.0.1:${port}`);
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    const send = vi.fn(async () => ({ id: 'never' }));
    const code = await publishAndWait('kill', send, { timeoutMs: '1000', services: 'risk,orders' });
    expect(code).toBe(CONTROL_EXIT.notPublished);
    expect(send).not.toHaveBeenCalled();
    expect(errors.join('\n')).toContain(`kill NOT published: NATS at nats://127.0.0.1:${port}:`);
    expect(errors.join('\n')).not.toContain('hunter2-secret');
  });
});
