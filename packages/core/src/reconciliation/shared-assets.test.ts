import { describe, expect, it } from 'vitest';
import { sharedAssetProblem, sharedBaseAssets } from './shared-assets';

describe('sharedBaseAssets', () => {
  it('accepts markets that share only a quote asset', () => {
    expect(sharedBaseAssets(['BTC-USDT', 'ETH-USDT', 'SOL-USDT'])).toEqual([]);
    expect(sharedBaseAssets(['ETH-BTC'])).toEqual([]);
  });

  it('finds a base asset two markets trade', () => {
    expect(sharedBaseAssets(['BTC-USDT', 'ETH-USDT', 'BTC-USDC'])).toEqual([
      { asset: 'BTC', markets: ['BTC-USDC', 'BTC-USDT'] },
    ]);
  });

  it('finds a base asset another market quotes in, each such asset once, a repeated market counted once', () => {
    expect(sharedBaseAssets(['ETH-BTC', 'BTC-USDT', 'ETH-USDT', 'BTC-USDT'])).toEqual([
      { asset: 'BTC', markets: ['BTC-USDT', 'ETH-BTC'] },
      { asset: 'ETH', markets: ['ETH-BTC', 'ETH-USDT'] },
    ]);
  });

  it('names the markets and the asset in the problem', () => {
    expect(sharedAssetProblem({ asset: 'BTC', markets: ['BTC-USDC', 'BTC-USDT'] })).toMatch(
      /^BTC-USDC, BTC-USDT all move the one BTC balance of a spot account: /,
    );
  });
});
