import { describe, expect, it } from 'vitest';
import { equityAtStart } from './equity-at-start';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

describe('equityAtStart', () => {
  it("is the stored equity less every strategy's pnl closed on that account since the start", () => {
    const trades = [
      { exchange: 'binance', pnl: -150, closeTime: START + DAY },
      { exchange: 'binance', pnl: -50, closeTime: START + 2 * DAY },
      { exchange: 'binance', pnl: 999, closeTime: START - DAY }, // before the period
      { exchange: 'binance', pnl: 999, closeTime: START + 5 * DAY }, // after the equity was stored
      { exchange: 'bybit', pnl: 999, closeTime: START + DAY }, // another account
    ];
    const stored = [{ venue: 'binance', equity: 800, at: START + 3 * DAY }];
    expect(equityAtStart(stored, trades, START)).toBe(1_000);
    expect(
      equityAtStart([...stored, { venue: 'bybit', equity: 1_999, at: START + 3 * DAY }], trades, START),
    ).toBe(2_000);
  });
});
