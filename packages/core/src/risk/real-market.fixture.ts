import type { BookLevel } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import type { BookDepth } from './liquidity';
import type { MarketRules } from './market-rules';

// Test support only (not exported from the package): real Binance data from /work/shared/data.

type BinanceFilter = { filterType: string; [field: string]: unknown };
type BinanceSymbol = { symbol: string; filters: BinanceFilter[] };

const EXCHANGE_INFO = 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz';

/** PRICE_FILTER, LOT_SIZE and MIN_NOTIONAL of Binance spot symbols, from the full 2021-10-12 exchangeInfo. */
export function binanceSpotRules(symbols: readonly string[]): Record<string, MarketRules> {
  const info = JSON.parse(readDataFile(EXCHANGE_INFO)) as { symbols: BinanceSymbol[] };
  const out: Record<string, MarketRules> = {};
  for (const name of symbols) {
    const entry = info.symbols.find((s) => s.symbol === name);
    if (!entry) throw new Error(`${name} not in ${EXCHANGE_INFO}`);
    const filter = (type: string, field: string): number => {
      const f = entry.filters.find((x) => x.filterType === type);
      return Number(f?.[field]);
    };
    out[name] = {
      tickSize: filter('PRICE_FILTER', 'tickSize'),
      stepSize: filter('LOT_SIZE', 'stepSize'),
      minQty: filter('LOT_SIZE', 'minQty'),
      minNotional: filter('MIN_NOTIONAL', 'minNotional'),
    };
  }
  return out;
}

/** The real BTCUSDT spot book (1000 levels a side) of 2021-04-04, and its mid price. */
export function btcusdtBook(): { book: BookDepth; mid: number } {
  const raw = JSON.parse(readDataFile('binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json')) as {
    bids: [string, string][];
    asks: [string, string][];
  };
  const levels = (side: [string, string][]): BookLevel[] => side.map(([p, q]) => [Number(p), Number(q)]);
  const book = { bids: levels(raw.bids), asks: levels(raw.asks) };
  const mid = (book.bids[0]![0] + book.asks[0]![0]) / 2;
  return { book, mid };
}

/** The real book's shape moved to another price: same relative offsets, sizes scaled to equal notional × `depthScale`. */
export function bookAt(real: { book: BookDepth; mid: number }, price: number, depthScale: number): BookDepth {
  const ratio = price / real.mid;
  const move = ([p, q]: BookLevel): BookLevel => [p * ratio, (q / ratio) * depthScale];
  return { bids: real.book.bids.map(move), asks: real.book.asks.map(move) };
}

/** 4h closes of Binance spot symbols (binance-spot-ohlcv/<SYMBOL>-4h.csv) at the times all of them traded. */
export function alignedCloses(symbols: readonly string[]): {
  times: number[];
  closes: Record<string, number[]>;
} {
  const series = symbols.map((symbol) => {
    const rows = readDataFile(`binance-spot-ohlcv/${symbol}-4h.csv`).trim().split('\n').slice(1);
    return new Map(rows.map((row) => row.split(',')).map((c) => [Number(c[0]), Number(c[4])]));
  });
  const times = [...series[0]!.keys()].filter((t) => series.every((s) => s.has(t)));
  const closes: Record<string, number[]> = {};
  symbols.forEach((symbol, i) => {
    closes[symbol] = times.map((t) => series[i]!.get(t)!);
  });
  return { times, closes };
}
