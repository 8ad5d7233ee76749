import { join } from 'node:path';
import type { StopEvent } from '@ballast/contracts';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from './backtest-result';
import { loadBacktestCandles, type RunBacktestOptions, runBacktest } from './run-backtest';

// Real Binance spot 1h candles: binance-spot-ohlcv/BTCUSDT-1h.csv.gz and ETHUSDT-1h.csv.gz,
// 2021-11-01 → 2022-01-15. Both symbols open several positions one after another here (two of them
// on 2021-12-22 02:00): each later position on a symbol reuses the position id of the first.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const options: RunBacktestOptions = {
  files: [join(data, 'BTCUSDT-1h.csv.gz'), join(data, 'ETHUSDT-1h.csv.gz')],
  timeframe: '1h',
  from: Date.UTC(2021, 10, 1),
  to: Date.UTC(2022, 0, 15),
  seed: 1,
  config: {
    agents: 'rules',
    exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
  },
};
const CYCLE = Date.UTC(2021, 11, 22, 2);

type TimedStopEvent = StopEvent & { time: number };
let result: BacktestResult;
const events: TimedStopEvent[] = [];

beforeAll(async () => {
  result = await runBacktest({ ...options, onStopEvent: (e, time) => events.push({ ...e, time }) });
}, 240_000);

/** The stop verified for the position a trade opened, at the instant of its entry fill. */
function entryStop(trade: BacktestResult['trades'][number]): TimedStopEvent | undefined {
  return events.findLast(
    (e) => e.kind === 'verified' && e.symbol === trade.symbol && e.time === trade.entry_time,
  );
}

describe('stop protection across successive positions on a symbol (real BTC and ETH 1h)', () => {
  it('opens more than one position per symbol, and keeps trading after the 2021-12-22 cycle', () => {
    for (const symbol of ['BTC-USDT', 'ETH-USDT'])
      expect(result.trades.filter((t) => t.symbol === symbol).length).toBeGreaterThan(1);
    expect(result.trades.filter((t) => t.entry_time === CYCLE).map((t) => t.symbol)).toEqual(
      expect.arrayContaining(['BTC-USDT', 'ETH-USDT']),
    );
    expect(result.trades.some((t) => t.entry_time > CYCLE)).toBe(true);
  });

  it('places and verifies a stop for every entry, each under its own client order id', () => {
    expect(events.filter((e) => e.kind === 'failed' || e.kind === 'flattened')).toEqual([]);
    const ids: string[] = [];
    for (const trade of result.trades) {
      const placed = events.some(
        (e) => e.kind === 'placed' && e.symbol === trade.symbol && e.time === trade.entry_time,
      );
      expect(placed, `${trade.symbol} entry ${trade.entry_time}`).toBe(true);
      const verified = entryStop(trade);
      expect(verified, `${trade.symbol} entry ${trade.entry_time}`).toBeDefined();
      ids.push(verified!.clientOrderId!);
    }
    expect(new Set(ids).size).toBe(result.trades.length);
  });

  it('holds no position through a bar that traded beyond its stop', () => {
    const candles = loadBacktestCandles(options);
    for (const trade of result.trades) {
      const stop = entryStop(trade)?.stopPrice;
      if (typeof stop !== 'number') throw new Error(`${trade.symbol} ${trade.entry_time}: no verified stop`);
      // Bars that closed while the position was open and before the exit order went out.
      const held = candles.filter(
        (c) =>
          c.symbol === trade.symbol && c.openTime >= trade.entry_time && c.closeTime + 1 < trade.exit_time,
      );
      for (const bar of held) {
        const crossed = trade.side === 'long' ? bar.low <= stop : bar.high >= stop;
        expect(crossed, `${trade.symbol} ${trade.side} stop ${stop} crossed at ${bar.openTime}`).toBe(false);
      }
    }
  });
});
