import { readDataFile } from '@ballast/testkit';

/** Test-only: the recorded files under /work/shared/data (see its README), one raw frame per line. */
export const BINANCE_FRAMES =
  'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';
export const binanceRestDepth = (venueSymbol: string) =>
  `binance-spot-ws/2021-04-04_rest_depth_${venueSymbol}_limit1000.json`;
export const BYBIT_FRAMES =
  'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl';
export const BYBIT_XRP_OB500 = 'bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl';

export function recordedLines(path: string): string[] {
  return readDataFile(path)
    .split('\n')
    .filter((line) => line.length > 0);
}
