import { deleteStreamsAt } from '@ballast/bus';
import { type Alert, Subjects, subject } from '@ballast/contracts';
import { freePort, natsUrl, uniqueName, waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema } from './base-config';
import { ConfigError } from './config-error';
import { readConfig } from './load-config';
import { createLogger } from './logger';
import { natsServersFrom } from './nats-url-variable';
import { connectNatsBus } from './standard-connections';

// The README's cluster setting: the same user on every node, one URL per node.
const CLUSTER =
  'nats://risk:s3cret-pw@nats-1:4222,nats://risk:s3cret-pw@nats-2:4222,nats://risk:s3cret-pw@nats-3:4222';

describe('NATS_URL', () => {
  it("accepts the README's comma-separated cluster list, one server per node", () => {
    const { config } = readConfig(baseConfigSchema, { SERVICE_NAME: 'risk', NATS_URL: CLUSTER });
    expect(config.NATS_URL).toEqual([
      'nats://risk:s3cret-pw@nats-1:4222',
      'nats://risk:s3cret-pw@nats-2:4222',
      'nats://risk:s3cret-pw@nats-3:4222',
    ]);
  });

  it('keeps one server as a list of one, and tls:// beside nats://', () => {
    const parse = (NATS_URL: string) =>
      readConfig(baseConfigSchema, { SERVICE_NAME: 'x', NATS_URL }).config.NATS_URL;
    expect(parse('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
    expect(parse('tls://nats-1:4222, nats://nats-2:4222')).toEqual([
      'tls://nats-1:4222',
      'nats://nats-2:4222',
    ]);
  });

  it('names each bad entry by position, never by its text', () => {
    const read = () =>
      readConfig(baseConfigSchema, {
        SERVICE_NAME: 'x',
        NATS_URL: 'nats://a:leaky-pw@nats-1:4222,http://a:leaky-pw@nats-2:4222,',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid configuration (2 problems):\n' +
        '  NATS_URL: invalid (server 2 of 3: expected a nats:// or tls:// URL)\n' +
        '  NATS_URL: invalid (server 3 of 3: empty (a stray comma?))',
    );
  });

  it("redacts every server's password from the log lines, also out of its URL", () => {
    const list = 'nats://risk:pw-node-one@nats-1:4222,nats://risk:pw-node-two@nats-2:4222';
    const { secrets } = readConfig(baseConfigSchema, { SERVICE_NAME: 'risk', NATS_URL: list });
    const lines: string[] = [];
    const log = createLogger({
      service: 'risk',
      secrets,
      destination: { write: (l: string) => lines.push(l) },
    });
    log.info({ target: list }, 'connecting');
    log.warn('auth failed with pw-node-one, then pw-node-two');
    const text = lines.join('');
    expect(text).not.toMatch(/pw-node-(one|two)/);
    expect(text).toContain('nats://risk:[REDACTED]@nats-1:4222,nats://risk:[REDACTED]@nats-2:4222');
  });

  it('is read the same way by the CLI, and is the local server when unset', () => {
    expect(natsServersFrom({ NATS_URL: CLUSTER })).toHaveLength(3);
    expect(natsServersFrom({})).toEqual(['nats://127.0.0.1:4222']);
    expect(() => natsServersFrom({ NATS_URL: 'nats-1:4222' })).toThrow(ConfigError);
  });

  it('connects a service configured with a list whose first server is down to the one that answers', async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    const live = await natsUrl();
    const prefix = `${uniqueName('nats_url_list')}.`;
    const { config } = readConfig(baseConfigSchema, {
      SERVICE_NAME: 'nats-list',
      NATS_URL: `${dead},${live}`,
      BUS_PREFIX: prefix,
    });
    const log = createLogger({ service: 'nats-list', level: 'silent' });
    const bus = await connectNatsBus(config, { source: 'nats-list', clock: { now: Date.now }, log });
    try {
      const got: Alert[] = [];
      await bus.subscribe(subject(Subjects.alert, {}), (m) => void got.push(m.payload), {
        durable: 'nats-list',
      });
      const alert: Alert = {
        severity: 'info',
        kind: 'nats_url_list',
        message: 'through the list',
        labels: {},
      };
      await bus.publish(subject(Subjects.alert, {}), alert);
      await waitFor(() => got.length === 1, 'the alert back through the bus');
      expect(got).toEqual([alert]);
      expect(bus.isHealthy()).toBe(true);
    } finally {
      await bus.drain();
      await deleteStreamsAt(live, bus.naming);
    }
  });
});
