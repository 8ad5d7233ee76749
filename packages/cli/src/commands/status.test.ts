import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerStatusCommand } from './status';
import { writeState } from './supervisor-state';

const dir = mkdtempSync(join(tmpdir(), 'ballast-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** `ballast status` against a state `ballast up` (this process, so it counts as running) recorded. */
async function statusOf(natsUrl: string): Promise<string> {
  const stateDir = mkdtempSync(join(dir, 'up-'));
  writeState(stateDir, {
    supervisorPid: process.pid,
    startedAt: 0,
    updatedAt: 0,
    natsUrl,
    busPrefix: 'status-test',
    prometheusUrl: null,
    children: [],
  });
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  const program = new Command().exitOverride();
  registerStatusCommand(program);
  await program.parseAsync(['status', '--state-dir', stateDir], { from: 'user' });
  return lines.join('\n');
}

describe('ballast status', () => {
  it('says why the lag is unread, and that NATS credentials `up` was given must be given here too', async () => {
    vi.stubEnv('NATS_URL', undefined);
    vi.stubEnv('NATS_URL_FILE', undefined);
    // `up` recorded its NATS URL with the password masked; nothing listens on port 1.
    const out = await statusOf('nats://orders:[REDACTED]@127.0.0.1:1');
    expect(out).toMatch(
      /^lag: unread \(.+; `ballast up` was given NATS credentials: give status the same NATS_URL or NATS_URL_FILE\)$/m,
    );
    expect(out).not.toContain('[REDACTED]@');
  });

  it('reads the lag from the NATS this shell names, ahead of the recorded one', async () => {
    expect(process.env.NATS_URL, 'NATS_URL: a running NATS with JetStream').toBeTruthy();
    const out = await statusOf('nats://orders:[REDACTED]@127.0.0.1:1');
    expect(out).not.toContain('lag: unread');
  });
});
