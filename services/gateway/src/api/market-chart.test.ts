import type { Candle } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import type { FillView } from '../live/live-state';
import { recordedBtcCandles } from '../testing/harness';
import { chartMarkers, marketChart, overlays } from './market-chart';

const candles = recordedBtcCandles(80);
const closes = candles.map((c) => c.close);

/** EMA written out from its definition: the SMA of the first n closes, then α = 2/(n+1). */
function emaByHand(xs: number[], n: number): number[] {
  const out: number[] = [];
  let value = xs.slice(0, n).reduce((s, x) => s + x, 0) / n;
  out.push(value);
  for (const x of xs.slice(n)) {
    value = value + (2 / (n + 1)) * (x - value);
    out.push(value);
  }
  return out;
}

const fill = (over: Partial<FillView>): FillView => ({
  tradeId: 't',
  price: 100,
  qty: 0.01,
  fee: 0.001,
  feeAsset: 'USDT',
  liquidity: 'taker',
  time: 0,
  clientOrderId: 'c',
  symbol: 'BTC/USDT',
  exchange: 'binance',
  side: 'buy',
  correlationId: 'corr-long',
  ...over,
});

describe('market chart', () => {
  it('draws the 21 and 50 EMAs and 20/2 Bollinger bands as their definitions give them', () => {
    const { emas, bollinger } = overlays(candles);
    for (const { period, points } of emas) {
      const expected = emaByHand(closes, period);
      expect(points).toHaveLength(expected.length);
      expect(points[0]?.time).toBe(candles[period - 1]?.openTime);
      for (const [i, p] of points.entries()) expect(p.value).toBeCloseTo(expected[i] as number, 6);
    }
    expect(bollinger).toHaveLength(candles.length - 19);
    const window = closes.slice(-20);
    const mean = window.reduce((s, x) => s + x, 0) / 20;
    const sd = Math.sqrt(window.reduce((s, x) => s + (x - mean) ** 2, 0) / 20);
    const last = bollinger.at(-1);
    expect(last?.middle).toBeCloseTo(mean, 6);
    expect(last?.upper).toBeCloseTo(mean + 2 * sd, 6);
    expect(last?.lower).toBeCloseTo(mean - 2 * sd, 6);
  });

  it('tells entries from exits by the position’s side, keeps only the symbol, and marks stops hit', () => {
    const markers = chartMarkers('binance', 'BTC/USDT', {
      fills: [
        fill({ time: 30, side: 'sell', price: 98 }),
        fill({ time: 10, side: 'buy', price: 100 }),
        fill({ time: 20, side: 'sell', correlationId: 'corr-short', price: 101 }),
        fill({ time: 25, symbol: 'ETH/USDT' }),
      ],
      positionSides: new Map([
        ['corr-long', 'long'],
        ['corr-short', 'short'],
      ]),
      stopEvents: [
        { kind: 'placed', exchange: 'binance', symbol: 'BTC/USDT', stopPrice: 97, time: 11 },
        { kind: 'triggered', exchange: 'binance', symbol: 'BTC/USDT', stopPrice: 97, time: 29 },
      ],
    });
    expect(markers.map((m) => [m.time, m.kind, m.price])).toEqual([
      [10, 'entry', 100],
      [20, 'entry', 101],
      [29, 'stop', 97],
      [30, 'exit', 98],
    ]);
  });

  it('draws a bar once when it came twice, and shows only this symbol’s resting stops', () => {
    const [a, b] = candles as [Candle, Candle];
    const chart = marketChart(
      'binance:BTC/USDT:4h',
      [a, b, { ...b, close: b.close + 1 }],
      undefined,
      [],
      [
        {
          positionId: 'p1',
          exchange: 'binance',
          symbol: 'BTC/USDT',
          stopPrice: 90,
          verified: true,
          clientOrderId: null,
          lastEvent: 'verified',
          detail: '',
          updatedAt: 1,
        },
        {
          positionId: 'p2',
          exchange: 'binance',
          symbol: 'ETH/USDT',
          stopPrice: 9,
          verified: true,
          clientOrderId: null,
          lastEvent: 'verified',
          detail: '',
          updatedAt: 1,
        },
      ],
    );
    expect(chart.candles.map((c) => c.close)).toEqual([a.close, b.close + 1]);
    expect(chart.stops).toEqual([{ positionId: 'p1', price: 90, verified: true }]);
    expect(chart).toMatchObject({ support: [], resistance: [], regime: null });
  });
});
