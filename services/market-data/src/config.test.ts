import { ConfigError, loadConfig } from '@ballast/service-kit';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { marketDataConfigSchema } from './config';

const base = { VENUE: 'bybit', SYMBOLS: 'BTC/USDT' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(marketDataConfigSchema, { ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.variable}: ${p.reason}`);
    throw err;
  }
  return [];
}

describe('market-data configuration', () => {
  it('refuses a timer duration Node cannot hold (over 2^31 − 1 ms), which would fire after 1 ms', () => {
    // 30 days, to "turn off" planned reconnects on Bybit, and a ban wait of a month: as Node timers
    // both fire at once, a reconnect loop (not counted by the storm alert) and requests during a ban.
    expect(
      problemsOf({
        PLANNED_RECONNECT_MS: String(30 * 86_400_000),
        REST_BAN_WAIT_MS: String(31 * 86_400_000),
      }),
    ).toEqual(['PLANNED_RECONNECT_MS: invalid', 'REST_BAN_WAIT_MS: invalid']);
  });

  it('accepts the longest duration a timer holds, and thresholds that are only compared (no timer) beyond it', () => {
    expect(
      problemsOf({ PLANNED_RECONNECT_MS: '2147483647', STALE_AFTER_MS: String(365 * 86_400_000) }),
    ).toEqual([]);
  });

  it('refuses Binance symbols × channels over its 1,024 streams per connection, naming the count', () => {
    // Real Binance spot pairs (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz), in listed order.
    const info = JSON.parse(readDataFile('binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz')) as {
      symbols: Array<{ baseAsset: string; quoteAsset: string }>;
    };
    const pairs = (n: number) =>
      info.symbols
        .slice(0, n)
        .map((s) => `${s.baseAsset}/${s.quoteAsset}`)
        .join(',');
    expect(problemsOf({ VENUE: 'binance', SYMBOLS: pairs(512), CHANNELS: 'candles,trades' })).toEqual([]);
    const problems = problemsOf({ VENUE: 'binance', SYMBOLS: pairs(342), CHANNELS: 'candles,trades,book' });
    expect(problems).toEqual(['SYMBOLS: invalid']);
    expect(expectedOf({ VENUE: 'binance', SYMBOLS: pairs(342) })).toContain(
      "342 symbols × 3 channels = 1026 streams, over binance's 1024 per connection",
    );
    // Bybit subscribes topics by message, in requests of 10: no such limit.
    expect(problemsOf({ VENUE: 'bybit', SYMBOLS: pairs(342) })).toEqual([]);
  });
});

function expectedOf(env: Record<string, string>): string {
  try {
    loadConfig(marketDataConfigSchema, { ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.expected).join('; ');
    throw err;
  }
  return '';
}
