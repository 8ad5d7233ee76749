import { describe, expect, it } from 'vitest';
import { compareFillOrder, tradeSequence } from './fill-order';

describe('compareFillOrder', () => {
  it('orders fills by time, then by the venue trade sequence, keeping the given order otherwise', () => {
    const fills = [
      { tradeId: '0190-e1-3', time: 3_000 },
      { tradeId: '0190-x-2', time: 2_000 },
      { tradeId: '0190-e0-9', time: 1_000 },
      { tradeId: 'recon-adj:binance:BTC-USDT:a', time: 1_000 },
      { tradeId: '0190-e0-8', time: 1_000 },
      { tradeId: 'recon-adj:binance:BTC-USDT:b', time: 1_000 },
    ];
    expect([...fills].sort(compareFillOrder).map((f) => f.tradeId)).toEqual([
      '0190-e0-8',
      '0190-e0-9',
      'recon-adj:binance:BTC-USDT:a',
      'recon-adj:binance:BTC-USDT:b',
      '0190-x-2',
      '0190-e1-3',
    ]);
  });

  it("reads Binance's numeric trade ids and the paper venue's `<venueOrderId>-<n>` as sequences", () => {
    expect([tradeSequence('2871563'), tradeSequence('01933b4c-7d1e-7000-8000-0a1b2c3d4e5f-12')]).toEqual([
      2871563, 12,
    ]);
    expect(tradeSequence('recon-adj:binance:BTC-USDT:ab')).toBeUndefined();
  });
});
