import type { ClosedTradeRecord } from '@ballast/db';
import { readDataFile } from '@ballast/testkit';

const HOUR_MS = 3_600_000;

/**
 * Round trips on recorded Binance 4h candles (entry at one close, exit at the next, 0.1% taker fee
 * each way, pnl net of fees), re-timed to close every `spacingHours` going back from `endAt`.
 */
export function recordedRoundTrips(count: number, endAt: number, spacingHours: number): ClosedTradeRecord[] {
  const sources = [
    { file: 'BTCUSDT-4h.csv', symbol: 'BTC-USDT', qty: 0.02, strategy: 'trend_pullback' },
    { file: 'ETHUSDT-4h.csv', symbol: 'ETH-USDT', qty: 0.4, strategy: 'breakout' },
    { file: 'SOLUSDT-4h.csv', symbol: 'SOL-USDT', qty: 8, strategy: 'trend_pullback' },
  ];
  const closes = sources.map((s) =>
    readDataFile(`binance-spot-ohlcv/${s.file}`)
      .trim()
      .split('\n')
      .slice(1, count + 2)
      .map((row) => Number(row.split(',')[4])),
  );
  const trades: ClosedTradeRecord[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % sources.length;
    const src = sources[k] as (typeof sources)[number];
    const entry = closes[k]?.[i] as number;
    const exit = closes[k]?.[i + 1] as number;
    const fees = 0.001 * src.qty * (entry + exit);
    trades.push({
      tradeKey: `${src.symbol}-${i}`,
      strategy: src.strategy,
      exchange: 'binance',
      symbol: src.symbol,
      pnl: src.qty * (exit - entry) - fees,
      fees,
      closeTime: endAt - (count - 1 - i) * spacingHours * HOUR_MS,
    });
  }
  return trades;
}
