import { type Candle, type FeatureVector, TIMEFRAME_MS } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../context';
import { parseBinanceKlineCsv } from '../market';
import { defaultStrategies } from './default-strategies';
import { SignalEngine } from './signal-engine';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';

const BTC_1H = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const HOUR = TIMEFRAME_MS['1h'];

const candles: Candle[] = parseBinanceKlineCsv(readDataFile(BTC_1H), {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '1h',
}).candles.slice(0, 400);
const features = new FeatureEngine();
const btc = candles.map((c) => features.onCandle(c)).filter((v): v is FeatureVector => v !== null);

const engine = () =>
  new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
  });
const proposedBy = (e: SignalEngine, v: FeatureVector) =>
  e.receive(v).decided.map((d) => d.candidate.strategy);

describe(`signal engine over vectors missing from a series (${BTC_1H})`, () => {
  // 2017-08-29 18:00: no strategy proposes with the bar before it; with the bar of 12 hours earlier as
  // its "previous" one, trend_pullback saw a pullback to the EMA21 zone and a close out of it.
  const at = btc.findIndex((v) => v.openTime === Date.UTC(2017, 7, 29, 18));

  it('proposes nothing on the first vector after missing ones: its previous bar is not known', () => {
    expect(btc[at - 1]!.openTime).toBe(btc[at]!.openTime - HOUR);
    const whole = engine();
    for (const v of btc.slice(0, at)) whole.receive(v);
    expect(proposedBy(whole, btc[at]!)).toEqual([]);
    // Features published nothing for the 12 bars before it (went cold, rejected, the venue was down).
    const gapped = engine();
    for (const v of btc.slice(0, at - 12)) gapped.receive(v);
    expect(proposedBy(gapped, btc[at]!)).toEqual([]);
  });

  it('reads the bars after the gap as one series again from the next vector on', () => {
    const whole = engine();
    const gapped = engine();
    for (const v of btc.slice(0, at)) whole.receive(v);
    for (const v of btc.slice(0, at - 12)) gapped.receive(v);
    whole.receive(btc[at]!);
    gapped.receive(btc[at]!);
    // Every strategy reads one previous bar at most (the squeeze look-back aside): the two agree again
    // once that bar is the same, and the 10 bars of history are the same from at + 10 on.
    const after = btc.slice(at + 1, at + 60);
    const wholeAnswers = after.map((v) => proposedBy(whole, v));
    const gappedAnswers = after.map((v) => proposedBy(gapped, v));
    expect(gappedAnswers.slice(10)).toEqual(wholeAnswers.slice(10));
    expect(wholeAnswers.flat().length).toBeGreaterThan(0);
  });
});
