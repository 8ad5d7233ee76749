import { periodStart } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { equityCurve, pnlByGroup, pnlByPeriod, unrealizedPnl } from './pnl';

const at = (iso: string) => Date.parse(iso);

describe('P&L figures', () => {
  it('values a long and a short position at the last price', () => {
    expect(unrealizedPnl({ side: 'long', qty: 0.5, avgEntry: 60_000 }, 60_400)).toBe(200);
    expect(unrealizedPnl({ side: 'short', qty: 2, avgEntry: 3_000 }, 3_010)).toBe(-20);
  });

  it("buckets on core's periods: weeks start on Monday and months on the first, in UTC", () => {
    expect(periodStart(at('2024-03-10T23:59:00Z'), 'week')).toBe(at('2024-03-04T00:00:00Z'));
    expect(periodStart(at('2024-03-11T00:00:00Z'), 'week')).toBe(at('2024-03-11T00:00:00Z'));
    expect(periodStart(at('2024-03-10T23:59:00Z'), 'month')).toBe(at('2024-03-01T00:00:00Z'));
    expect(periodStart(at('2024-03-10T23:59:00Z'), 'day')).toBe(at('2024-03-10T00:00:00Z'));
  });

  it('sums trades per day with their strategy and symbol split, losing days included', () => {
    const trades = [
      { strategy: 'trend', symbol: 'BTC/USDT', pnl: 30, fees: 1, closeTime: at('2024-03-10T10:00:00Z') },
      { strategy: 'mr', symbol: 'ETH/USDT', pnl: -10, fees: 0.5, closeTime: at('2024-03-10T12:00:00Z') },
      { strategy: 'trend', symbol: 'ETH/USDT', pnl: -5, fees: 0.25, closeTime: at('2024-03-11T01:00:00Z') },
    ];
    expect(pnlByPeriod(trades, 'day')).toEqual([
      {
        start: at('2024-03-10T00:00:00Z'),
        pnl: 20,
        fees: 1.5,
        trades: 2,
        wins: 1,
        byStrategy: { trend: 30, mr: -10 },
        bySymbol: { 'BTC/USDT': 30, 'ETH/USDT': -10 },
      },
      {
        start: at('2024-03-11T00:00:00Z'),
        pnl: -5,
        fees: 0.25,
        trades: 1,
        wins: 0,
        byStrategy: { trend: -5 },
        bySymbol: { 'ETH/USDT': -5 },
      },
    ]);
  });

  it('tracks equity and the drawdown from its peak', () => {
    const curve = equityCurve(
      [
        { strategy: null, symbol: 'X', pnl: 100, fees: 0, closeTime: 1 },
        { strategy: null, symbol: 'X', pnl: -220, fees: 0, closeTime: 2 },
      ],
      1000,
    );
    expect(curve).toEqual([
      { time: 1, equity: 1100, drawdownPct: 0 },
      { time: 2, equity: 880, drawdownPct: 20 },
    ]);
  });

  it('totals per strategy and per symbol, best first, with fees and expectancy', () => {
    const trades = [
      { strategy: 'trend', symbol: 'BTC/USDT', pnl: 30, fees: 1, closeTime: 1 },
      { strategy: null, symbol: 'ETH/USDT', pnl: -10, fees: 0.5, closeTime: 2 },
      { strategy: 'trend', symbol: 'ETH/USDT', pnl: -6, fees: 0.25, closeTime: 3 },
    ];
    expect(pnlByGroup(trades, 'strategy')).toEqual([
      { key: 'trend', trades: 2, wins: 1, pnl: 24, fees: 1.25, expectancy: 12 },
      { key: 'none', trades: 1, wins: 0, pnl: -10, fees: 0.5, expectancy: -10 },
    ]);
    expect(pnlByGroup(trades, 'symbol')).toEqual([
      { key: 'BTC/USDT', trades: 1, wins: 1, pnl: 30, fees: 1, expectancy: 30 },
      { key: 'ETH/USDT', trades: 2, wins: 0, pnl: -16, fees: 0.75, expectancy: -8 },
    ]);
  });
});
