import { describe, expect, it } from 'vitest';
import { reconConfigSchema } from './config';

describe('reconciliation configuration', () => {
  it('accepts markets that share only their quote asset', () => {
    expect(reconConfigSchema.parse({ RECON_SYMBOLS: 'BTC-USDT,ETH-USDT' }).RECON_SYMBOLS).toEqual([
      'BTC-USDT',
      'ETH-USDT',
    ]);
  });

  it('refuses markets that move one asset balance, naming the markets and the asset', () => {
    const shared = reconConfigSchema.safeParse({ RECON_SYMBOLS: 'BTC-USDT,BTC-USDC' });
    expect(shared.success).toBe(false);
    expect(shared.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'RECON_SYMBOLS',
        expect.stringMatching(/^BTC-USDC, BTC-USDT all move the one BTC balance of a spot account/),
      ],
    ]);
    const quoted = reconConfigSchema.safeParse({ RECON_SYMBOLS: 'ETH-BTC,BTC-USDT' });
    expect(quoted.error?.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^BTC-USDT, ETH-BTC all move the one BTC balance/),
    ]);
  });
});
