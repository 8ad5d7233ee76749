import { join } from 'node:path';
import type { StopEvent } from '@ballast/contracts';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestConfig } from './backtest-config';
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
const { slippageBps } = parseBacktestConfig(options.config);

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

  it('fills a stop crossed inside a bar in that bar, at its price less slippage (the open if it gapped past)', () => {
    const candles = loadBacktestCandles(options);
    // Stopped out whole: a take-profit before the stop would average its own price into the exit.
    const tookProfit = (t: BacktestResult['trades'][number]) =>
      events.some(
        (e) =>
          e.kind === 'take_profit' && e.symbol === t.symbol && e.time > t.entry_time && e.time < t.exit_time,
      );
    const stopped = result.trades.filter((t) => t.exit_reason === 'stop' && !tookProfit(t));
    expect(stopped.length).toBeGreaterThan(5);
    for (const trade of stopped) {
      const trigger = events.find(
        (e) => e.kind === 'triggered' && e.symbol === trade.symbol && e.time === trade.exit_time,
      );
      if (typeof trigger?.stopPrice !== 'number')
        throw new Error(`${trade.symbol} ${trade.exit_time}: no trigger`);
      const bar = candles.find(
        (c) => c.symbol === trade.symbol && c.openTime <= trade.exit_time && trade.exit_time <= c.closeTime,
      );
      if (!bar) throw new Error(`${trade.symbol} ${trade.exit_time}: exit outside every bar`);
      const crossed =
        trade.side === 'long' ? Math.min(trigger.stopPrice, bar.open) : Math.max(trigger.stopPrice, bar.open);
      const slippage = crossed * (slippageBps / 10_000) * (trade.side === 'long' ? -1 : 1);
      expect(
        Math.abs(trade.exit_price - (crossed + slippage)),
        `${trade.symbol} ${trade.exit_time}`,
      ).toBeLessThanOrEqual(0.01 + 1e-9);
    }
    // The 2021-11-10 13:00 UTC bar opened at 66,396.98, went down to 65,888 and closed at 67,983.45: the
    // stop at 66,188.58 sold in that bar, at 66,188.58 less 5 bps, a loss (it sold at the next open,
    // 67,949.45, a win, before bars printed along their paths).
    const wick = result.trades.find((t) => t.symbol === 'BTC-USDT' && t.entry_price === 67754.86);
    expect(wick).toMatchObject({ exit_price: 66155.48, exit_reason: 'stop' });
    expect(wick!.exit_time).toBeGreaterThan(Date.UTC(2021, 10, 10, 13));
    expect(wick!.exit_time).toBeLessThan(Date.UTC(2021, 10, 10, 14));
    expect(wick!.pnl).toBeLessThan(-35);
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

// Real Binance spot ADAUSDT 1h, 2021-03-01 → 2021-04-15. The 2021-04-06 12:00 bar (open 1.20234, low
// 1.20173, high 1.29621, close 1.2891) went down to its low first, above the trailed stop at 1.18464331,
// then up through TP1, which moved the stop to breakeven, 1.21178311: above the low already passed.
describe('a take-profit inside a bar that moves the stop above the low already passed (real ADA 1h)', () => {
  const ada: RunBacktestOptions = {
    files: [join(data, 'ADAUSDT-1h.csv.gz')],
    timeframe: '1h',
    from: Date.UTC(2021, 2, 1),
    to: Date.UTC(2021, 3, 15),
    seed: 1,
  };
  const entry = Date.UTC(2021, 3, 6, 6);
  let run: BacktestResult;
  const seen: TimedStopEvent[] = [];

  beforeAll(async () => {
    run = await runBacktest({ ...ada, onStopEvent: (e, time) => seen.push({ ...e, time }) });
  }, 240_000);

  it('keeps the rest of the position past that bar: its low is not held against the moved stop at the close', () => {
    const tp = seen.find((e) => e.kind === 'take_profit' && e.time > entry);
    expect(tp?.time).toBeLessThan(Date.UTC(2021, 3, 6, 13));
    expect(seen.filter((e) => e.kind === 'triggered' && e.time === Date.UTC(2021, 3, 6, 13))).toEqual([]);
    // The rest rode on, and the stop trailed at the next two closes sold it inside the 14:00 bar.
    const trade = run.trades.find((t) => t.symbol === 'ADA-USDT' && t.entry_time === entry);
    expect(trade?.exit_reason).toBe('stop');
    expect(trade!.exit_time).toBeGreaterThan(Date.UTC(2021, 3, 6, 14));
    expect(trade!.exit_time).toBeLessThan(Date.UTC(2021, 3, 6, 15));
  });
});
