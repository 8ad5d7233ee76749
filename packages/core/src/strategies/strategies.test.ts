import type { Candle, FeatureVector, SignalCandidate } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../context';
import { parseBinanceKlineCsv } from '../market';
import { defaultStrategies } from './default-strategies';
import { HourExpectancyTable } from './hour-expectancy';
import { SignalEngine } from './signal-engine';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';
import { entryHourUtc } from './veto-rules';

const BTC_1H = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const ETH_1H = 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz';

function load(file: string, symbol: string): Candle[] {
  return parseBinanceKlineCsv(readDataFile(file), {
    exchange: 'binance',
    symbol,
    timeframe: '1h',
  }).candles.slice(0, 2600);
}

const btc = load(BTC_1H, 'BTC-USDT');

function featureVectors(candles: readonly Candle[]): FeatureVector[] {
  const engine = new FeatureEngine();
  return candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);
}

interface Run {
  candidates: SignalCandidate[];
  vectorOf: Map<string, FeatureVector>;
}

function run(
  vectors: readonly FeatureVector[],
  options: Partial<ConstructorParameters<typeof SignalEngine>[0]> = {},
): Run {
  const engine = new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
    ...options,
  });
  const vectorOf = new Map<string, FeatureVector>();
  const candidates: SignalCandidate[] = [];
  for (const v of vectors) {
    for (const c of engine.onFeatures(v)) {
      candidates.push(c);
      vectorOf.set(c.id, v);
    }
  }
  return { candidates, vectorOf };
}

const btcVectors = featureVectors(btc);
const btcRun = run(btcVectors);

function first(r: Run, where: (c: SignalCandidate, v: FeatureVector) => boolean) {
  const candidate = r.candidates.find((c) => where(c, r.vectorOf.get(c.id)!));
  if (!candidate) throw new Error('no such candidate in the recorded data');
  return { candidate, vector: r.vectorOf.get(candidate.id)! };
}

const ind = (v: FeatureVector, name: string) => v.indicators[name]!;

describe(`strategies over ${BTC_1H} (first 2,600 hours)`, () => {
  it('trend pullback: long at 2017-09-01 07:00 out of the EMA21 zone, stop 2.5 ATR below, target 5 ATR above', () => {
    const { candidate, vector } = first(btcRun, (c) => c.strategy === 'trend_pullback' && c.veto === null);
    expect(vector.openTime).toBe(Date.UTC(2017, 8, 1, 7));
    expect(vector.volatility.stopMultiplier).toBe(1);
    const atr = ind(vector, 'atr14');
    expect(candidate).toMatchObject({
      setup: 'ema21_pullback',
      side: 'long',
      entry: vector.close,
      stop: vector.close - 2.5 * atr,
      takeProfits: [vector.close + 5 * atr],
      rank: 1,
    });
    expect(ind(vector, 'ema21')).toBeGreaterThan(ind(vector, 'ema50'));
    expect(ind(vector, 'ema50')).toBeGreaterThan(ind(vector, 'ema200'));
    expect(ind(vector, 'adx14')).toBeGreaterThanOrEqual(20);
  });

  it('breakout: long out of a squeeze at 2017-08-27 00:00 on expanded volume', () => {
    const { candidate, vector } = first(
      btcRun,
      (c) => c.strategy === 'bollinger_breakout' && c.veto === null,
    );
    expect(vector.openTime).toBe(Date.UTC(2017, 7, 27, 0));
    const atr = ind(vector, 'atr14');
    expect(candidate).toMatchObject({
      setup: 'squeeze_breakout',
      side: 'long',
      stop: vector.close - 2.5 * vector.volatility.stopMultiplier * atr,
      takeProfits: [vector.close + 5 * atr],
    });
    expect(vector.close).toBeGreaterThan(ind(vector, 'bbUpper'));
    expect(ind(vector, 'volumeRatio')).toBeGreaterThanOrEqual(1.5);
  });

  it('mean reversion: long at the lower band with RSI ≤ 30 in a choppy market at 2017-08-28 05:00', () => {
    const { candidate, vector } = first(btcRun, (c) => c.strategy === 'mean_reversion' && c.veto === null);
    expect(vector.openTime).toBe(Date.UTC(2017, 7, 28, 5));
    expect(vector.regime).toBe('choppy');
    // Risk sizes it by the regime it came from (choppy: half size by default).
    expect(candidate).toMatchObject({ setup: 'oversold_fade', side: 'long', regime: 'choppy' });
    expect(ind(vector, 'rsi14')).toBeLessThanOrEqual(30);
    expect(vector.close).toBeLessThanOrEqual(ind(vector, 'bbLower'));
  });

  it('widens the stop by the volatility regime: a short in high volatility has its stop 2.5 × 1.25 ATR above', () => {
    const { candidate, vector } = first(
      btcRun,
      (c, v) => c.side === 'short' && c.veto === null && v.volatility.level === 'high',
    );
    expect(vector.openTime).toBe(Date.UTC(2017, 8, 4, 11));
    expect(candidate.strategy).toBe('trend_pullback');
    expect(candidate.stop).toBe(vector.close + 2.5 * 1.25 * ind(vector, 'atr14'));
  });

  it('vetoes mean reversion outside choppy markets and says why', () => {
    const { candidate, vector } = first(
      btcRun,
      (c) => c.veto?.reason === 'wrong_regime' && c.strategy === 'mean_reversion',
    );
    expect(vector.regime).not.toBe('choppy');
    expect(candidate.veto).toEqual({
      reason: 'wrong_regime',
      detail: `mean_reversion trades choppy markets; the market is ${vector.regime}`,
    });
  });

  it('vetoes an entry against the higher timeframe trend', () => {
    const { candidate, vector } = first(btcRun, (c) => c.veto?.reason === 'higher_timeframe_disagrees');
    expect(vector.openTime).toBe(Date.UTC(2017, 7, 29, 13));
    expect(candidate.side).toBe('short');
    expect(vector.higherTimeframe?.trend).toBe('up');
    expect(candidate.veto?.detail).toBe('short against the 4h trend (up)');
  });

  it('confirms with the 1d trend instead of, or as well as, the 4h one when configured', () => {
    const confirmedBy = (confirmingTimeframes?: Array<'4h' | '1d'>) =>
      run(btcVectors, { vetoes: VetoConfig.parse({ confirmingTimeframes }) }).candidates;
    const daily = confirmedBy(['1d']);
    const both = confirmedBy(['4h', '1d']);
    const against = (c: SignalCandidate, tf: string) =>
      c.veto?.reason === 'higher_timeframe_disagrees' && c.veto.detail.includes(`the ${tf} trend`);
    const byDay = daily.find((c) => against(c, '1d'))!;
    const vector = btcRun.vectorOf.get(byDay.id)!;
    const d1 = vector.higherTimeframes?.find((v) => v.timeframe === '1d');
    expect(d1?.trend).toBe(byDay.side === 'long' ? 'down' : 'up');
    expect(byDay.veto?.detail).toBe(`${byDay.side} against the 1d trend (${d1?.trend})`);
    // With 1d alone the 4h trend no longer vetoes; with both, either one does.
    expect(daily.some((c) => against(c, '4h'))).toBe(false);
    const h4Vetoed = new Set(btcRun.candidates.filter((c) => against(c, '4h')).map((c) => c.id));
    const d1Vetoed = new Set(daily.filter((c) => against(c, '1d')).map((c) => c.id));
    const bothVetoed = both.filter((c) => c.veto?.reason === 'higher_timeframe_disagrees').map((c) => c.id);
    expect(new Set(bothVetoed)).toEqual(new Set([...h4Vetoed, ...d1Vetoed]));
  });

  it('vetoes reward:risk below 1.5 when the take-profit is 3 ATR against a 2.5 ATR stop', () => {
    const strategies = defaultStrategies(StrategiesConfig.parse({ levels: { takeProfitAtr: [3] } }));
    const r = run(btcVectors, { strategies });
    const { candidate } = first(
      r,
      (c) => c.strategy === 'trend_pullback' && c.veto !== null && c.veto.reason !== 'wrong_regime',
    );
    expect(candidate.veto).toEqual({ reason: 'reward_risk_below_min', detail: 'reward:risk 1.20 below 1.5' });
  });

  it('vetoes an excluded symbol', () => {
    const r = run(btcVectors, { vetoes: VetoConfig.parse({ excludedSymbols: ['BTC-USDT'] }) });
    expect(r.candidates.length).toBe(btcRun.candidates.length);
    expect(new Set(r.candidates.map((c) => c.veto?.reason))).toEqual(new Set(['excluded_symbol']));
  });

  it('vetoes an hour whose expectancy is negative over enough trades, not over too few', () => {
    const { candidate, vector } = first(btcRun, (c) => c.strategy === 'trend_pullback' && c.veto === null);
    const hourUtc = entryHourUtc(vector);
    expect(hourUtc).toBe(8);
    const stats = (trades: number) =>
      new HourExpectancyTable([{ strategy: 'trend_pullback', hourUtc, trades, expectancy: -0.25 }]);
    const vetoed = run(btcVectors, { hours: stats(30) }).candidates.find((c) => c.id === candidate.id);
    expect(vetoed?.veto).toEqual({
      reason: 'negative_hour_expectancy',
      detail: 'trend_pullback at 8:00 UTC: expectancy -0.250 net per trade over 30 trades',
    });
    const trusted = run(btcVectors, { hours: stats(5) }).candidates.find((c) => c.id === candidate.id);
    expect(trusted?.veto).toBeNull();
  });

  it('repeats itself: the same candles twice give identical candidates and ids', () => {
    const again = run(featureVectors(btc));
    expect(again.candidates.length).toBeGreaterThan(100);
    expect(again.candidates).toEqual(btcRun.candidates);
  });

  it('a redelivered vector changes nothing and gets the same candidates as its first delivery', () => {
    const engine = new SignalEngine({
      strategies: defaultStrategies(StrategiesConfig.parse({})),
      vetoes: VetoConfig.parse({}),
    });
    const firsts: SignalCandidate[] = [];
    let repeatedWithCandidates = 0;
    for (const v of btcVectors) {
      const first = engine.onFeatures(v);
      const again = engine.onFeatures(structuredClone(v));
      expect(again).toEqual(first);
      if (first.length > 0) repeatedWithCandidates++;
      firsts.push(...first);
    }
    expect(repeatedWithCandidates).toBeGreaterThan(100);
    // The repeats neither entered the strategies' history nor opened a cycle of their own.
    expect(firsts).toEqual(btcRun.candidates);
    expect(engine.flush().decided).toEqual([]);
  });
});

describe(`ranking BTC and ETH each hour (${BTC_1H}, ${ETH_1H})`, () => {
  it('ranks every cycle by confidence once both symbols reported', () => {
    const eth = featureVectors(load(ETH_1H, 'ETH-USDT'));
    const byTime = new Map<number, FeatureVector[]>();
    for (const v of [...btcVectors, ...eth]) byTime.set(v.openTime, [...(byTime.get(v.openTime) ?? []), v]);
    const ordered = [...byTime.keys()].sort((a, b) => a - b).flatMap((t) => byTime.get(t)!);
    const r = run(ordered, { universe: ['BTC-USDT', 'ETH-USDT'] });
    const cycles = new Map<number, SignalCandidate[]>();
    for (const c of r.candidates) {
      const t = r.vectorOf.get(c.id)!.openTime;
      cycles.set(t, [...(cycles.get(t) ?? []), c]);
    }
    const shared = [...cycles.values()].filter((cs) => new Set(cs.map((c) => c.symbol)).size === 2);
    expect(shared.length).toBeGreaterThan(0);
    for (const cs of cycles.values()) {
      expect(cs.map((c) => c.rank)).toEqual(cs.map((_, i) => i + 1));
      const confidences = cs.map((c) => c.confidence);
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    }
  });

  it('a vector redelivered while its cycle waits for the other symbol adds nothing; the cycle closes once', () => {
    const eth = featureVectors(load(ETH_1H, 'ETH-USDT'));
    const byTime = new Map<number, FeatureVector[]>();
    for (const v of [...btcVectors, ...eth]) byTime.set(v.openTime, [...(byTime.get(v.openTime) ?? []), v]);
    const ordered = [...byTime.keys()].sort((a, b) => a - b).flatMap((t) => byTime.get(t)!);
    const universe = ['BTC-USDT', 'ETH-USDT'];
    const once = run(ordered, { universe });
    const engine = new SignalEngine({
      strategies: defaultStrategies(StrategiesConfig.parse({})),
      vetoes: VetoConfig.parse({}),
      universe,
    });
    const delivered: SignalCandidate[] = [];
    for (const v of ordered) {
      // Every vector is delivered twice: the repeat of the first symbol of a cycle comes while it waits.
      const first = engine.onFeatures(v);
      expect(engine.onFeatures(v)).toEqual(first);
      delivered.push(...first);
    }
    expect(delivered.length).toBeGreaterThan(100);
    expect(delivered).toEqual(once.candidates);
  });

  it('a cycle waiting when its engine stopped is ranked by a new engine that restored it, with the same candidates', () => {
    const eth = featureVectors(load(ETH_1H, 'ETH-USDT'));
    const ethAt = new Map(eth.map((v) => [v.openTime, v]));
    const options = {
      strategies: defaultStrategies(StrategiesConfig.parse({})),
      vetoes: VetoConfig.parse({}),
      universe: ['BTC-USDT', 'ETH-USDT'],
    };
    const uninterrupted = new SignalEngine(options);
    // The first bar at which BTC, delivered first, proposes and ETH, closing the cycle, does not.
    for (const btcVector of btcVectors) {
      const ethVector = ethAt.get(btcVector.openTime);
      if (!ethVector) continue;
      const { waiting } = uninterrupted.receive(btcVector);
      // Delivered again while its cycle waits: kept again (the first keeping may have failed).
      expect(uninterrupted.receive(btcVector)).toMatchObject({ outcome: 'repeat', waiting });
      const closed = uninterrupted.receive(ethVector);
      if (!waiting || waiting.candidates.length === 0 || closed.decided.some((d) => d.vector === ethVector))
        continue;
      const restarted = new SignalEngine(options);
      restarted.restore([waiting]);
      expect(restarted.receive(btcVector).outcome).toBe('repeat');
      const answer = restarted.receive(ethVector);
      expect(answer.decided).toEqual(closed.decided);
      expect(answer.cycles).toEqual(closed.cycles);
      return;
    }
    throw new Error('no such bar in the recorded data');
  });
});
