import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import { createTestDatabase, sharedDataDir, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program';
import { formatDriftTable, RECON_DRIFTED_EXIT, reconOnce } from './recon';

// The simulator's filters: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
let sim: ExchangeSim;
let testDb: TestDatabase;

beforeAll(async () => {
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: { symbols: ['BTCUSDT'], apiKey: 'cli-key', apiSecret: 'cli-secret', balances: { USDT: '1000' } },
  });
  testDb = await createTestDatabase('cli_recon');
});
afterAll(async () => {
  await testDb?.drop();
  await sim?.close();
});

const ADOPTED = 'open buy 0.001 BTC-USDT bl-x9 carries our prefix but is not in our records';

describe('ballast recon', { timeout: 120_000 }, () => {
  it('prints the venue orders our records lack, and repairs nothing', async () => {
    sim.tamper.addExternalOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.001',
      price: '20000',
      clientOrderId: 'web_9',
    });
    sim.tamper.addExternalOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.001',
      price: '21000',
      clientOrderId: 'bl-x9',
    });
    const env = {
      DATABASE_URL: testDb.url,
      EXCHANGE_BASE_URL: sim.restUrl,
      EXCHANGE_API_KEY: 'cli-key',
      EXCHANGE_API_SECRET: 'cli-secret',
    };
    const options = { venue: 'binance', symbols: 'BTC-USDT', pgliteDir: '' };
    const first = await reconOnce(options, env);
    expect(first.drifts.map((d) => [d.kind, d.action, d.key])).toEqual([
      ['unknown_order', 'leave', 'order:BTC-USDT:1'],
      ['unknown_order', 'adopt', 'order:BTC-USDT:2'],
    ]);
    // A preview: the same differences the second time, nothing was adopted or recorded.
    expect((await reconOnce(options, env)).drifts).toEqual(first.drifts);
    expect(formatDriftTable(first.drifts).split('\n')).toEqual([
      'kind           symbol    action  key               evidence',
      `-------------  --------  ------  ----------------  ${'-'.repeat(ADOPTED.length)}`,
      'unknown_order  BTC-USDT  leave   order:BTC-USDT:1  open buy 0.001 BTC-USDT web_9 was placed outside Ballast',
      `unknown_order  BTC-USDT  adopt   order:BTC-USDT:2  ${ADOPTED}`,
    ]);
  });

  it('takes trades from before the first run as history when told to: the position is set, no fill ingested', async () => {
    const env = {
      DATABASE_URL: testDb.url,
      EXCHANGE_BASE_URL: sim.restUrl,
      EXCHANGE_API_KEY: 'cli-key',
      EXCHANGE_API_SECRET: 'cli-secret',
    };
    const options = { venue: 'binance', symbols: 'BTC-USDT', pgliteDir: '' };
    // The print through web_9 (20000) also reaches bl-x9 (21000): two trades.
    sim.tamper.fillSilently('BTCUSDT', 'web_9');
    const kinds = async (extra: Record<string, string>) =>
      (await reconOnce(options, { ...env, ...extra })).drifts
        .filter((d) => d.kind !== 'unknown_order')
        .map((d) => d.kind);
    expect(await kinds({})).toEqual(['missing_fill', 'missing_fill']);
    expect(await kinds({ RECON_SKIP_TRADE_HISTORY: 'true' })).toEqual(['position_qty']);
  });

  it('reads the keys from _FILE variables and RECON_SYMBOLS as the service does, and exits 2 on differences', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recon-keys-'));
    writeFileSync(join(dir, 'key'), 'cli-key\n');
    writeFileSync(join(dir, 'secret'), 'cli-secret\n');
    vi.stubEnv('DATABASE_URL', testDb.url);
    vi.stubEnv('EXCHANGE_BASE_URL', sim.restUrl);
    vi.stubEnv('EXCHANGE_API_KEY_FILE', join(dir, 'key'));
    vi.stubEnv('EXCHANGE_API_SECRET_FILE', join(dir, 'secret'));
    vi.stubEnv('RECON_SYMBOLS', 'BTC-USDT');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    try {
      await buildProgram().parseAsync(['node', 'ballast', 'recon'], { from: 'node' });
      // The account's trades (signed requests: the keys were read from the files) are not in our fills.
      expect(out.join('\n')).toContain('missing_fill  BTC-USDT  ingest_fill  fill:BTC-USDT:1');
      expect(process.exitCode).toBe(RECON_DRIFTED_EXIT);
    } finally {
      process.exitCode = undefined;
      log.mockRestore();
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
