import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  childEnvironment,
  configuredServices,
  detectServices,
  selectServices,
  serviceSpecs,
} from './up-services';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('services for ballast up', () => {
  it('gives the services the local NATS only when neither NATS_URL nor NATS_URL_FILE names one', () => {
    const local = 'nats://127.0.0.1:4222';
    expect(childEnvironment({ PATH: '/bin' }, local)).toEqual({ PATH: '/bin', NATS_URL: local });
    expect(childEnvironment({ NATS_URL: 'nats://a:4222' }, local)).toEqual({ NATS_URL: 'nats://a:4222' });
    // Both set, every service would refuse its start (conflicting_file).
    expect(childEnvironment({ NATS_URL_FILE: '/run/secrets/nats_url' }, local)).toEqual({
      NATS_URL_FILE: '/run/secrets/nats_url',
    });
  });

  it('points the Telegram bot at the Prometheus it runs, unless told another', () => {
    const local = 'nats://127.0.0.1:4222';
    expect(childEnvironment({}, local, 9090).TELEGRAM_PROMETHEUS_URL).toBe('http://127.0.0.1:9090');
    expect(childEnvironment({}, local, null).TELEGRAM_PROMETHEUS_URL).toBeUndefined();
    const own = { TELEGRAM_PROMETHEUS_URL: 'http://prom.lan:9090' };
    expect(childEnvironment(own, local, 9090).TELEGRAM_PROMETHEUS_URL).toBe('http://prom.lan:9090');
  });

  it('detects the services present, producers first', () => {
    const found = detectServices(repoRoot);
    const core = ['market-data', 'features', 'signals', 'risk', 'orders', 'stops'];
    expect(found.filter((n) => core.includes(n))).toEqual(core);
  });

  it('selects the named ones in start order and rejects an unknown name', () => {
    const detected = ['market-data', 'features', 'risk'];
    expect(selectServices(detected, [])).toEqual(detected);
    expect(selectServices(detected, ['risk', 'market-data'])).toEqual(['market-data', 'risk']);
    expect(() => selectServices(detected, ['risk', 'nope'])).toThrow('unknown service(s): nope');
  });

  it('leaves out reconciliation, the gateway and the Telegram bot until their credentials are set, unless named', () => {
    const all = ['risk', 'reconciliation', 'gateway', 'telegram'];
    expect(configuredServices(all, [], {})).toEqual({
      start: ['risk'],
      skipped: [
        {
          name: 'reconciliation',
          reason:
            'runs with ORDERS_VENUE_KIND=ccxt and EXCHANGE_API_KEY (or _FILE): paper accounts live in orders',
        },
        { name: 'gateway', reason: 'set GATEWAY_USERS or GATEWAY_USERS_FILE to run it' },
        { name: 'telegram', reason: 'set TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE to run it' },
      ],
    });
    expect(configuredServices(all, [], { GATEWAY_USERS_FILE: '/run/secrets/users' }).start).toEqual([
      'risk',
      'gateway',
    ]);
    expect(configuredServices(['telegram'], ['telegram'], {}).start).toEqual(['telegram']);
    // Keys for reading alone do not make a paper deployment reconcilable.
    expect(configuredServices(all, [], { EXCHANGE_API_KEY: 'k' }).start).toEqual(['risk']);
    expect(configuredServices(all, [], { EXCHANGE_API_KEY: 'k', ORDERS_VENUE_KIND: 'ccxt' }).start).toEqual([
      'risk',
      'reconciliation',
    ]);
  });

  it('gives each service its own port, name and entry file', () => {
    const specs = serviceSpecs({ repoRoot, names: ['features', 'risk'], basePort: 9101, env: { A: '1' } });
    expect(specs.map((s) => [s.name, s.port, s.env.HTTP_PORT, s.env.SERVICE_NAME, s.env.A])).toEqual([
      ['features', 9101, '9101', 'features', '1'],
      ['risk', 9102, '9102', 'risk', '1'],
    ]);
    expect(specs[0]?.args).toEqual(['--import', 'tsx', `${repoRoot}services/features/src/main.ts`]);
  });

  it('preloads the given modules after tsx in every service', () => {
    const imports = ['file:///x/clock.ts'];
    const [spec] = serviceSpecs({ repoRoot, names: ['risk'], basePort: 9101, env: {}, imports });
    expect(spec?.args).toEqual([
      ...['--import', 'tsx', '--import', 'file:///x/clock.ts'],
      `${repoRoot}services/risk/src/main.ts`,
    ]);
  });
});
