import { readDataFile, sharedDataDir } from '@ballast/testkit';
import { type ExchangeSim, startExchangeSim } from '../exchange-sim';

/** Where the replay starts: 2021-05-10 00:00 UTC, before the May 2021 fall that takes stops out. */
export const REPLAY_FROM = Date.UTC(2021, 4, 10);
const FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

export type ReplayedCandle = {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
};

/** The real BTCUSDT 1h candles the simulator replays, in its order (first = the first step). */
export function replayedCandles(): ReplayedCandle[] {
  return recordedBars(FILE).filter((bar) => bar.openTime >= REPLAY_FROM);
}

/** Every bar of a recorded Binance kline file under the shared data directory (.csv or .csv.gz). */
export function recordedBars(file: string): ReplayedCandle[] {
  return readDataFile(file)
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .map(([openTime, open, high, low, close, volume]) => ({
      openTime: openTime as number,
      open: open as number,
      high: high as number,
      low: low as number,
      close: close as number,
      volume: volume as number,
    }));
}

/**
 * The Binance simulator stepping those candles (no recorded book: orders fill at the last price, and a
 * stop where the candle's path crosses it, as ADR 14 prints a bar),
 * with the real BTCUSDT filters (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) and
 * 10,000 USDT on the key's account.
 */
export function startCandleSim(apiKey: string, apiSecret: string): Promise<ExchangeSim> {
  return startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: ['BTCUSDT'],
      framesFile: null,
      candles: [{ symbol: 'BTCUSDT', interval: '1h', file: FILE, replay: true, replayFrom: REPLAY_FROM }],
      apiKey,
      apiSecret,
      balances: { USDT: '10000' },
    },
  });
}

/**
 * The first hour from `from` whose close is 1 % up before any low 3 % down: its index (the entry's
 * hour), and the index of the hour that reaches 1 % up.
 */
export function firstRise(candles: readonly ReplayedCandle[], from: number): { entry: number; up: number } {
  const rise = (k: number) => {
    const entry = candles[k]?.close as number;
    const after = candles.slice(k + 1);
    const end = after.findIndex((c) => c.low <= entry * 0.97 || c.close >= entry * 1.01);
    return end >= 0 && (after[end]?.close as number) >= entry * 1.01 ? k + 1 + end : -1;
  };
  let k = from;
  while (rise(k) < 0) k++;
  return { entry: k, up: rise(k) };
}
