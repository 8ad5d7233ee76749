import type { Clock } from '@ballast/contracts';
import type { FeesIn, LimitFillRule } from './matching-engine';
import type { ReplaySpeed } from './replay-feed';

/** A recorded candle CSV to serve from `/api/v3/klines`, optionally replayed as closed kline frames. */
export interface CandleSeriesOption {
  symbol: string;
  interval: string;
  /** Path under the data directory, e.g. `binance-spot-ohlcv/BTCUSDT-1h.csv.gz`. */
  file: string;
  /** Replay this series on `<symbol>@kline_<interval>`; REST then shows only candles already replayed. */
  replay?: boolean;
  /** With `replay`: candles opening before this time (ms) are history, visible from the start. */
  replayFrom?: number;
}

export interface ExchangeSimOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The recorded data directory (`/work/shared/data` layout). */
  dataDir: string;
  /** The exchange's clock: server time, order and trade times, recvWindow checks. */
  clock?: Clock;
  speed?: ReplaySpeed;
  /** Start replaying at once; otherwise call `controls.start()` or `controls.step()`. */
  autoStart?: boolean;
  loop?: boolean;
  maxGapMs?: number;
  binance?: BinanceOptions;
  /** false disables the Bybit endpoints. */
  bybit?: BybitOptions | false;
}

export interface BinanceOptions {
  /** Symbols kept in exchangeInfo; all recorded symbols when empty. */
  symbols?: string[];
  exchangeInfoFile?: string;
  /** Recorded combined-stream frames; null for none. */
  framesFile?: string | null;
  /** Recorded REST depth snapshots matching `framesFile`, by symbol. */
  depthSnapshotFiles?: Record<string, string>;
  candles?: CandleSeriesOption[];
  apiKey?: string;
  apiSecret?: string;
  /** Starting balances, e.g. `{ USDT: '10000' }`. */
  balances?: Record<string, string>;
  /** Fee rates as decimal strings; 0.1 % each by default. */
  takerFee?: string;
  makerFee?: string;
  /** `received`: a buy's fee in the base asset, as Binance charges without BNB; `quote` by default. */
  feesIn?: FeesIn;
  fillRule?: LimitFillRule;
}

export interface BybitOptions {
  framesFiles?: string[];
  /** Linear candles for `/v5/market/kline`, optionally replayed as confirmed `kline.<interval>.<symbol>` frames. */
  candles?: CandleSeriesOption[];
  /** Recorded instruments-info documents by category. */
  instrumentsFiles?: Record<string, string>;
}

const WS = 'binance-spot-ws';

export const DEFAULTS = {
  host: '127.0.0.1',
  speed: { mode: 'realtime' } as ReplaySpeed,
  maxGapMs: 5_000,
  binance: {
    exchangeInfoFile: 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz',
    framesFile: `${WS}/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz`,
    depthSnapshotFiles: {
      BTCUSDT: `${WS}/2021-04-04_rest_depth_BTCUSDT_limit1000.json`,
      ETHUSDT: `${WS}/2021-04-04_rest_depth_ETHUSDT_limit1000.json`,
      DOTUSDT: `${WS}/2021-04-04_rest_depth_DOTUSDT_limit1000.json`,
    } as Record<string, string>,
    apiKey: 'sim-api-key',
    apiSecret: 'sim-api-secret',
    balances: { USDT: '10000' } as Record<string, string>,
    takerFee: '0.001',
    makerFee: '0.001',
    feesIn: 'quote' as FeesIn,
    fillRule: 'through' as LimitFillRule,
  },
  bybit: {
    framesFiles: [
      'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl',
    ],
    instrumentsFiles: {
      linear: 'bybit-v5-rest/2026-08-09_v5-market-instruments-info_linear.json',
      spot: 'bybit-v5-rest/2026-08-09_v5-market-instruments-info_spot.json',
    } as Record<string, string>,
  },
};
