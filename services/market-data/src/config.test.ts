import { ConfigError, loadConfig } from '@ballast/service-kit';
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
});
