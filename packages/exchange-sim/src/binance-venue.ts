import type { Clock } from '@ballast/contracts';
import { BinanceMarket } from './binance-market';
import { type CandleRow, parseCandleCsv } from './candle-series';
import { toUnits } from './decimal';
import { type ExchangeInfo, filterExchangeInfo, type SymbolRules, symbolRules } from './exchange-info';
import { candleKlineFrame, klineStreamName } from './kline-frame';
import { MatchingEngine } from './matching-engine';
import type { DepthSnapshot } from './order-book';
import { readRecordedFile } from './recorded-file';
import { parseBinanceFrames, type RecordedFrame } from './recorded-frame';
import { ReplayFeed, type ReplayFeedOptions, type ReplaySpeed } from './replay-feed';
import { type BinanceOptions, type CandleSeriesOption, DEFAULTS } from './sim-options';
import { SpotAccount } from './spot-account';

/** Everything the Binance side of the simulator holds, loaded from the recorded files. */
export interface BinanceVenue {
  exchangeInfo: ExchangeInfo;
  /** The rules the matching engine enforces, by symbol: read from `exchangeInfo`, changed with it. */
  rules: Map<string, SymbolRules>;
  market: BinanceMarket;
  account: SpotAccount;
  engine: MatchingEngine;
  /** Recorded combined-stream frames. */
  frames: ReplayFeed;
  /** Closed kline frames built from the candle series marked `replay`. */
  candles: ReplayFeed;
  fees: { takerBps: number; makerBps: number };
  credentials: { apiKey: string; secret: string };
}

interface CandleFrameData {
  symbol: string;
  interval: string;
  row: CandleRow;
}

export function loadBinanceVenue(
  dataDir: string,
  opts: BinanceOptions,
  clock: Clock,
  speed: ReplaySpeed,
  feedOpts: ReplayFeedOptions,
): BinanceVenue {
  const o = { ...DEFAULTS.binance, ...opts };
  const info = JSON.parse(readRecordedFile(dataDir, o.exchangeInfoFile)) as ExchangeInfo;
  const exchangeInfo = filterExchangeInfo(info, o.symbols ?? []);
  const rules = new Map<string, SymbolRules>(exchangeInfo.symbols.map((s) => [s.symbol, symbolRules(s)]));
  const snapshots = new Map<string, DepthSnapshot>();
  if (o.framesFile) {
    for (const [symbol, file] of Object.entries(o.depthSnapshotFiles))
      snapshots.set(symbol, JSON.parse(readRecordedFile(dataDir, file)) as DepthSnapshot);
  }
  const market = new BinanceMarket(snapshots);
  const account = new SpotAccount(o.balances);
  const fees = { maker: toUnits(o.makerFee), taker: toUnits(o.takerFee), feesIn: o.feesIn };
  const engine = new MatchingEngine({
    account,
    rules: (s) => rules.get(s),
    liquidity: market,
    fees,
    fillRule: o.fillRule,
    clock,
  });

  const recorded = o.framesFile ? parseBinanceFrames(readRecordedFile(dataDir, o.framesFile)) : [];
  const frames = new ReplayFeed('binance', recorded, speed, feedOpts);
  frames.onSource((f) => {
    const trade = market.applyFrame(f);
    if (trade) engine.onTrade(trade.symbol, trade.price, trade.qty);
  });
  frames.onRewind(() => market.resetBooks());

  const candles = new ReplayFeed(
    'binance-candles',
    loadCandles(dataDir, o.candles ?? [], market),
    speed,
    feedOpts,
  );
  candles.onSource((f) => {
    const { symbol, interval, row } = f.data as CandleFrameData;
    market.revealCandle(symbol, interval, row);
    engine.onCandle(symbol, {
      open: toUnits(row.open),
      high: toUnits(row.high),
      low: toUnits(row.low),
      close: toUnits(row.close),
      volume: toUnits(row.volume),
    });
  });

  // Binance reports commission in basis points: 10 = 0.1 %.
  const bps = (rate: bigint) => Number(rate / 10_000n);
  return {
    exchangeInfo,
    rules,
    market,
    account,
    engine,
    frames,
    candles,
    fees: { takerBps: bps(fees.taker), makerBps: bps(fees.maker) },
    credentials: { apiKey: o.apiKey, secret: o.apiSecret },
  };
}

/** Loads every series for REST, and returns the kline frames of those to replay, merged by close time. */
function loadCandles(dataDir: string, list: CandleSeriesOption[], market: BinanceMarket): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  for (const opt of list) {
    const series = parseCandleCsv(readRecordedFile(dataDir, opt.file), opt.symbol, opt.interval);
    if (!opt.replay) {
      market.addSeries(series, series.rows.length);
      continue;
    }
    const from = opt.replayFrom ?? Number.NEGATIVE_INFINITY;
    const history = series.rows.filter((r) => r.openTime < from).length;
    market.addSeries(series, history);
    for (const row of series.rows.slice(history)) {
      const data: CandleFrameData = { symbol: opt.symbol, interval: opt.interval, row };
      frames.push({
        raw: candleKlineFrame(row, opt.symbol, opt.interval),
        route: klineStreamName(opt.symbol, opt.interval),
        time: row.closeTime,
        data,
      });
    }
  }
  return frames.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}
