import { describe, expect, it } from 'vitest';
import { symbolAssets } from './symbols';

describe('symbolAssets', () => {
  it.each([
    ['BTC-USDT', { base: 'BTC', quote: 'USDT' }],
    ['ETH-BTC', { base: 'ETH', quote: 'BTC' }],
    ['1000PEPE-FDUSD', { base: '1000PEPE', quote: 'FDUSD' }],
  ])('splits %s into its base and quote assets', (symbol, assets) => {
    expect(symbolAssets(symbol)).toEqual(assets);
  });

  it('reads a symbol without a separator as all base with an empty quote', () => {
    expect(symbolAssets('BTCUSDT')).toEqual({ base: 'BTCUSDT', quote: '' });
    expect(symbolAssets('')).toEqual({ base: '', quote: '' });
  });
});
