// `pnpm bench indicators` (or `npx tsx bench/indicators.ts`): every indicator of the IndicatorSet updated
// one closed candle at a time over ≥ 1M real candles, single-threaded (so the rate is per core), then
// trading-signals and technicalindicators streaming the same indicators over the same candles.
// Rates are candles per CPU-second of this process (not wall time), so other load on the machine
// inflates them less; the load average is printed beside them.
// Candles: binance-spot-ohlcv/BTCUSDT-1h.csv.gz (45,024), replayed end to end until there are ≥ 1M.
// Ours reads them from OhlcvColumns (struct-of-arrays, built once before timing, as a backtest or warm-up
// would); the peers' APIs take candle objects. Ours is also timed on the same candle objects, so the cost
// of that input shape is visible: a replay over 45k ten-field objects stalls on memory, a live feed of one
// fresh candle at a time does not.
import { availableParallelism, loadavg } from 'node:os';
import type { Candle } from '@ballast/contracts';
import { IndicatorSet, OhlcvColumns, parseBinanceKlineCsv, periodsPerYear } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';
import * as ti from 'technicalindicators';
import * as ts from 'trading-signals';

const TARGET_CANDLES = 1_000_000;
const DATA_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

interface Contender {
  name: string;
  /** What it covers of our set, printed so a reader knows what the peer rate means. */
  covers: string;
  /** Streams `passes` replays of `candles`; returns a value derived from the results so no work is elided. */
  stream(candles: readonly Candle[], passes: number): number;
}

const OURS_COVER =
  'EMA 9/21/50/200, SMA 20, RSI 14, MACD, BB+bandwidth+squeeze, ATR, ADX+DI, CMF, OBV, volume ratio, realised vol';

function checksum(set: IndicatorSet): number {
  const last = set.snapshot();
  return (last.ema200 ?? 0) + (last.adx14 ?? 0) + (last.cmf20 ?? 0) + (last.volumeRatio ?? 0);
}

/** Columns are built per contender, outside the timed region, like parsing the CSV. */
function oursOnColumns(columns: OhlcvColumns): Contender {
  return {
    name: 'ballast',
    covers: `${OURS_COVER}; from OhlcvColumns`,
    stream(_candles, passes) {
      const set = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
      for (let p = 0; p < passes; p++) for (let i = 0; i < columns.length; i++) set.advanceAt(columns, i);
      return checksum(set);
    },
  };
}

const oursOnObjects: Contender = {
  name: 'ballast (objects)',
  covers: 'the same, from the Candle objects the peers read',
  stream(candles, passes) {
    const set = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    for (let p = 0; p < passes; p++) for (let i = 0; i < candles.length; i++) set.advance(candles[i]!);
    return checksum(set);
  },
};

const tradingSignals: Contender = {
  name: 'trading-signals',
  covers: 'all but realised volatility (none in the library); RVOL for volume ratio',
  stream(candles, passes) {
    const emas = [new ts.EMA(9), new ts.EMA(21), new ts.EMA(50), new ts.EMA(200)];
    const sma = new ts.SMA(20);
    const rsi = new ts.RSI(14);
    const macd = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9));
    const bb = new ts.BollingerBands(20, 2);
    const atr = new ts.ATR(14);
    const adx = new ts.ADX(14);
    const cmf = new ts.CMF(20);
    const obv = new ts.OBV(2);
    const rvol = new ts.RVOL(20);
    let check = 0;
    for (let p = 0; p < passes; p++) {
      for (let i = 0; i < candles.length; i++) {
        const c = candles[i]!;
        for (const e of emas) e.update(c.close, false);
        sma.update(c.close, false);
        rsi.update(c.close, false);
        macd.update(c.close, false);
        bb.update(c.close, false);
        atr.update(c, false);
        adx.update(c, false);
        cmf.update(c, false);
        obv.update(c, false);
        check += rvol.update(c.volume, false) ?? 0;
      }
    }
    return check;
  },
};

const technicalIndicators: Contender = {
  name: 'technicalindicators',
  covers: 'all but CMF and realised volatility (none in the library); SMA of volume for volume ratio',
  stream(candles, passes) {
    const emas = [9, 21, 50, 200].map((period) => new ti.EMA({ period, values: [] }));
    const sma = new ti.SMA({ period: 20, values: [] });
    const volumeSma = new ti.SMA({ period: 20, values: [] });
    const rsi = new ti.RSI({ period: 14, values: [] });
    const macd = new ti.MACD({
      values: [],
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const bb = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] });
    const atr = new ti.ATR({ period: 14, high: [], low: [], close: [] });
    const adx = new ti.ADX({ period: 14, high: [], low: [], close: [] });
    const obv = new ti.OBV({ close: [], volume: [] });
    // Its typings declare ADX.nextValue(price: number) though it reads a candle at run time.
    const adxNext = adx.nextValue.bind(adx) as unknown as (c: Candle) => unknown;
    let check = 0;
    for (let p = 0; p < passes; p++) {
      for (let i = 0; i < candles.length; i++) {
        const c = candles[i]!;
        for (const e of emas) e.nextValue(c.close);
        sma.nextValue(c.close);
        rsi.nextValue(c.close);
        macd.nextValue(c.close);
        bb.nextValue(c.close);
        atr.nextValue(c);
        adxNext(c);
        obv.nextValue(c);
        const average = volumeSma.nextValue(c.volume);
        check += average ? c.volume / average : 0;
      }
    }
    return check;
  },
};

function loadCandles(): Candle[] {
  const parsed = parseBinanceKlineCsv(readDataFile(DATA_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  });
  if (parsed.errors.length > 0) throw new Error(`${DATA_FILE}: ${parsed.errors.length} bad rows`);
  return parsed.candles;
}

/** Candles per second of one timed run after a short warm-up pass for the JIT. */
function measure(contender: Contender, candles: readonly Candle[], passes: number): number {
  contender.stream(candles, 1);
  const start = process.cpuUsage();
  const check = contender.stream(candles, passes);
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  if (!Number.isFinite(check)) throw new Error(`${contender.name}: non-finite result`);
  return (candles.length * passes) / seconds;
}

function format(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

const candles = loadCandles();
const passes = Math.ceil(TARGET_CANDLES / candles.length);
const total = candles.length * passes;
console.log(`${DATA_FILE}: ${candles.length} candles × ${passes} passes = ${format(total)} candles per run`);
console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
const contenders = [
  oursOnColumns(OhlcvColumns.from(candles)),
  oursOnObjects,
  tradingSignals,
  technicalIndicators,
];
const rates = contenders.map((c) => {
  const rate = measure(c, candles, passes);
  console.log(`  ${c.name.padEnd(20)} ${format(rate).padStart(12)} candles/s  (${c.covers})`);
  return rate;
});
const [mine, , tsRate, tiRate] = rates as [number, number, number, number];
console.log(
  `indicators: ${format(mine)} candles/s (trading-signals: ${format(tsRate)}/s, technicalindicators: ${format(tiRate)}/s, ratio ${(mine / tsRate).toFixed(1)}×/${(mine / tiRate).toFixed(1)}×)`,
);
