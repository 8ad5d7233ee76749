import type { MarketRegime } from '@ballast/contracts';
import { Adx, type AdxValue, type DirectionalValue } from './adx';
import { Atr } from './atr';
import { BollingerBands, type BollingerOptions, type BollingerValue } from './bollinger-bands';
import { ChaikinMoneyFlow } from './chaikin-money-flow';
import { classifyRegime, DEFAULT_REGIME_THRESHOLDS, type RegimeThresholds } from './classify-regime';
import { Ema } from './ema';
import { Macd, type MacdValue } from './macd';
import { Obv } from './obv';
import type { OhlcvBar } from './ohlcv-bar';
import { RealisedVolatility } from './realised-volatility';
import { Rsi } from './rsi';
import { Sma } from './sma';
import { VolumeRatio } from './volume-ratio';

/** Every indicator's value after one bar; null while that indicator warms up. */
export interface IndicatorSnapshot {
  ema9: number | null;
  ema21: number | null;
  ema50: number | null;
  ema200: number | null;
  sma20: number | null;
  rsi14: number | null;
  macd: MacdValue | null;
  bollinger: BollingerValue | null;
  atr14: number | null;
  adx14: number | null;
  plusDi14: number | null;
  minusDi14: number | null;
  cmf20: number | null;
  obv: number | null;
  volumeRatio: number | null;
  realisedVolatility: number | null;
  /** From ADX and Bollinger bandwidth; null until both are ready. */
  regime: MarketRegime | null;
}

export interface IndicatorSetOptions {
  /** Annualises realised volatility (see periodsPerYear(timeframe)); 1 keeps it per bar. */
  periodsPerYear: number;
  realisedVolatilityPeriod: number;
  bollinger: Partial<BollingerOptions>;
  regime: RegimeThresholds;
}

/** The standard feature set, updated together once per closed candle. */
export class IndicatorSet {
  private readonly ema9 = new Ema(9);
  private readonly ema21 = new Ema(21);
  private readonly ema50 = new Ema(50);
  private readonly ema200 = new Ema(200);
  private readonly sma20 = new Sma(20);
  private readonly rsi14 = new Rsi(14);
  private readonly macd = new Macd();
  private readonly bollinger: BollingerBands;
  private readonly atr14 = new Atr(14);
  private readonly adx14 = new Adx(14);
  private readonly cmf20 = new ChaikinMoneyFlow(20);
  private readonly obv = new Obv();
  private readonly volumeRatio = new VolumeRatio(20);
  private readonly realisedVolatility: RealisedVolatility;
  private readonly thresholds: RegimeThresholds;

  constructor(options: Partial<IndicatorSetOptions> = {}) {
    this.bollinger = new BollingerBands(options.bollinger);
    this.realisedVolatility = new RealisedVolatility(
      options.realisedVolatilityPeriod ?? 20,
      options.periodsPerYear ?? 1,
    );
    this.thresholds = options.regime ?? DEFAULT_REGIME_THRESHOLDS;
  }

  /** Feeds one closed bar to every indicator without building a snapshot: the allocation-free path. */
  advance(bar: OhlcvBar): void {
    // Four groups, each small enough for V8 to inline its indicators whole. One large method exceeds the
    // inlining budget, and a double passed to a call that is not inlined is boxed: an allocation per call.
    this.advanceAverages(bar);
    this.advanceOscillators(bar);
    this.advanceRanges(bar);
    this.advanceVolumes(bar);
  }

  private advanceAverages(bar: OhlcvBar): void {
    const close = bar.close;
    this.ema9.push(close);
    this.ema21.push(close);
    this.ema50.push(close);
    this.ema200.push(close);
    this.sma20.push(close);
  }

  private advanceOscillators(bar: OhlcvBar): void {
    const close = bar.close;
    this.rsi14.push(close);
    this.macd.update(close);
    this.bollinger.update(close);
  }

  private advanceRanges(bar: OhlcvBar): void {
    this.atr14.push(bar);
    this.adx14.update(bar);
  }

  private advanceVolumes(bar: OhlcvBar): void {
    this.cmf20.push(bar);
    this.obv.push(bar);
    this.volumeRatio.push(bar.volume);
    this.realisedVolatility.push(bar.close);
  }

  /** Feeds one closed bar and returns every value after it. */
  update(bar: OhlcvBar): IndicatorSnapshot {
    this.advance(bar);
    return this.snapshot();
  }

  snapshot(): IndicatorSnapshot {
    const bollinger = this.bollinger.value;
    return this.assemble({
      ema9: this.ema9.value,
      ema21: this.ema21.value,
      ema50: this.ema50.value,
      ema200: this.ema200.value,
      sma20: this.sma20.value,
      rsi14: this.rsi14.value,
      macd: this.macd.value,
      bollinger,
      atr14: this.atr14.value,
      adx: this.adx14.value,
      direction: this.adx14.direction,
      cmf20: this.cmf20.value,
      obv: this.obv.value,
      volumeRatio: this.volumeRatio.value,
      realisedVolatility: this.realisedVolatility.value,
    });
  }

  /** The values as if the forming bar closed now; no indicator's state changes. */
  preview(bar: OhlcvBar): IndicatorSnapshot {
    const close = bar.close;
    return this.assemble({
      ema9: this.ema9.preview(close),
      ema21: this.ema21.preview(close),
      ema50: this.ema50.preview(close),
      ema200: this.ema200.preview(close),
      sma20: this.sma20.preview(close),
      rsi14: this.rsi14.preview(close),
      macd: this.macd.preview(close),
      bollinger: this.bollinger.preview(close),
      atr14: this.atr14.preview(bar),
      adx: this.adx14.preview(bar),
      direction: this.adx14.previewDirection(bar),
      cmf20: this.cmf20.preview(bar),
      obv: this.obv.preview(bar),
      volumeRatio: this.volumeRatio.preview(bar.volume),
      realisedVolatility: this.realisedVolatility.preview(close),
    });
  }

  private assemble(v: Readings): IndicatorSnapshot {
    const regime =
      v.adx && v.bollinger
        ? classifyRegime({ adx: v.adx.adx, bandwidthRatio: v.bollinger.bandwidthRatio }, this.thresholds)
        : null;
    return {
      ema9: v.ema9,
      ema21: v.ema21,
      ema50: v.ema50,
      ema200: v.ema200,
      sma20: v.sma20,
      rsi14: v.rsi14,
      macd: v.macd,
      bollinger: v.bollinger,
      atr14: v.atr14,
      adx14: v.adx?.adx ?? null,
      plusDi14: v.direction?.plusDi ?? null,
      minusDi14: v.direction?.minusDi ?? null,
      cmf20: v.cmf20,
      obv: v.obv,
      volumeRatio: v.volumeRatio,
      realisedVolatility: v.realisedVolatility,
      regime,
    };
  }
}

interface Readings {
  ema9: number | null;
  ema21: number | null;
  ema50: number | null;
  ema200: number | null;
  sma20: number | null;
  rsi14: number | null;
  macd: MacdValue | null;
  bollinger: BollingerValue | null;
  atr14: number | null;
  adx: AdxValue | null;
  direction: DirectionalValue | null;
  cmf20: number | null;
  obv: number | null;
  volumeRatio: number | null;
  realisedVolatility: number | null;
}
