/** One row of a recorded Binance kline CSV; prices kept as the recorded strings. */
export interface CandleRow {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  closeTime: number;
}

/** The candles of one symbol and interval, ascending by open time. */
export interface CandleSeries {
  symbol: string;
  interval: string;
  rows: CandleRow[];
}

export class CandleCsvError extends Error {
  readonly reason = 'invalid_candle_csv';
}

const HEADER = 'open_time,open,high,low,close,volume,close_time';

/** Parses the data README's candle CSV layout; rejects anything else loudly. */
export function parseCandleCsv(text: string, symbol: string, interval: string): CandleSeries {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0]?.trim() !== HEADER) throw new CandleCsvError(`expected header "${HEADER}", got "${lines[0]}"`);
  const rows = lines.slice(1).map((line, i) => parseRow(line, i + 2));
  return { symbol, interval, rows };
}

function parseRow(line: string, lineNo: number): CandleRow {
  const f = line.trim().split(',');
  if (f.length !== 7) throw new CandleCsvError(`line ${lineNo}: expected 7 fields, got ${f.length}`);
  const [openTime, open, high, low, close, volume, closeTime] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { openTime: Number(openTime), open, high, low, close, volume, closeTime: Number(closeTime) };
}

const INTERVAL_MS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
};

/** Binance's kline intervals (1M omitted: months have no fixed length and no recording uses it). */
export function intervalMs(interval: string): number | undefined {
  return INTERVAL_MS[interval];
}
