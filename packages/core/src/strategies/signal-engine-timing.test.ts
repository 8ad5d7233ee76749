import { type Candle, type FeatureVector, TIMEFRAME_MS } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from '../context';
import { parseBinanceKlineCsv } from '../market';
import { VirtualClock } from '../time';
import { defaultStrategies } from './default-strategies';
import { SignalEngine, type SignalEngineOptions } from './signal-engine';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';

const BTC_1H = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const ETH_1H = 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz';
const HOUR = TIMEFRAME_MS['1h'];

function vectorsOf(file: string, symbol: string): FeatureVector[] {
  const candles: Candle[] = parseBinanceKlineCsv(readDataFile(file), {
    exchange: 'binance',
    symbol,
    timeframe: '1h',
  }).candles.slice(0, 1200);
  const engine = new FeatureEngine();
  return candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);
}

const btc = vectorsOf(BTC_1H, 'BTC-USDT');
const eth = vectorsOf(ETH_1H, 'ETH-USDT');
const ethAt = new Map(eth.map((v) => [v.openTime, v]));
const closeOf = (v: FeatureVector) => v.openTime + HOUR;

function engine(options: Partial<SignalEngineOptions> = {}): SignalEngine {
  return new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
    ...options,
  });
}

/** The index of the first BTC bar (with an ETH bar at the same time) at which the strategies propose. */
function firstProposingBar(): number {
  const probe = engine();
  const at = btc.findIndex((v) => probe.onFeatures(v).length > 0 && ethAt.has(v.openTime));
  if (at < 0) throw new Error('no proposing bar in the recording');
  return at;
}

describe(`signal engine timing over ${BTC_1H} and ${ETH_1H}`, () => {
  it('a vector whose bar closed longer ago than the limit proposes nothing but still feeds the history', () => {
    // Both 2017-09-04 22:00 and the bar three hours later propose when on time.
    const at = btc.findIndex((v) => v.openTime === Date.UTC(2017, 8, 4, 22));
    const onTime = engine();
    const fresh = btc.slice(0, at + 4).map((v) => onTime.receive(v));
    expect(fresh[at]?.decided.length).toBeGreaterThan(0);
    expect(fresh[at + 3]?.decided.length).toBeGreaterThan(0);
    // Back after an outage, three hours after bar `at` closed: the backlog is delivered at once.
    const clock = new VirtualClock(closeOf(btc[at + 3]!));
    const late = engine({ clock, maxVectorAgeMs: 60_000 });
    const answers = btc.slice(0, at + 4).map((v) => late.receive(v));
    expect(answers.slice(0, at + 3).map((a) => a.outcome)).toEqual(
      answers.slice(0, at + 3).map(() => 'stale'),
    );
    expect(answers.slice(0, at + 3).flatMap((a) => a.decided)).toEqual([]);
    expect(answers[at]?.ageMs).toBe(3 * HOUR);
    // The bar that just closed is on time, and its strategies saw the stale bars as history.
    expect(answers[at + 3]).toMatchObject({ outcome: 'new', ageMs: 0, decided: fresh[at + 3]?.decided });
  });

  it('judges lateness upstream by emittedAt and its own queue apart: slow decisions refuse nothing, a backlog still is', () => {
    const at = firstProposingBar();
    const [b, e] = [btc[at]!, ethAt.get(btc[at]!.openTime)!];
    const close = closeOf(b);
    const timed = () => engine({ clock, maxVectorAgeMs: 60_000, maxQueueMs: 120_000 });
    const clock = new VirtualClock(close);
    // Both published on time; ETH's handler starts 70 s later, behind BTC's decisions.
    const slow = timed();
    for (const v of btc.slice(0, at)) slow.receive(v, closeOf(v));
    expect(slow.receive(b, close).outcome).toBe('new');
    clock.advance(70_000);
    expect(slow.receive(e, close).outcome).toBe('new');
    // Published on time, received three hours later (our own outage): a backlog, refused.
    clock.set(close + 3 * HOUR);
    const ours = timed();
    expect(ours.receive(b, close).outcome).toBe('stale');
    // Published three hours late (features' backlog), received at once: refused too.
    const upstream = timed();
    expect(upstream.receive(b, close + 3 * HOUR).outcome).toBe('stale');
  });

  it('ranks a cycle missing a universe symbol at its deadline, with each candidate’s own bar, naming the symbol', () => {
    const at = firstProposingBar();
    const universe = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
    const clock = new VirtualClock(closeOf(btc[0]!));
    const live = engine({ clock, universe, cycleGraceMs: 30_000 });
    for (const v of btc.slice(0, at)) {
      clock.set(closeOf(v));
      live.receive(v);
      const e = ethAt.get(v.openTime);
      if (e) live.receive(e);
      clock.set(closeOf(v) + 30_000);
      live.due();
    }
    const bar = btc[at]!;
    clock.set(closeOf(bar));
    expect(live.receive(bar).decided).toEqual([]);
    expect(live.receive(ethAt.get(bar.openTime)!).decided).toEqual([]);
    clock.set(closeOf(bar) + 29_999);
    expect(live.due().decided).toEqual([]);
    clock.set(closeOf(bar) + 30_000);
    const due = live.due();
    expect(due.cycles).toEqual([
      { exchange: 'binance', timeframe: '1h', openTime: bar.openTime, missing: ['SOL-USDT'] },
    ]);
    expect(due.decided.length).toBeGreaterThan(0);
    for (const d of due.decided) expect(d.vector.openTime).toBe(bar.openTime);
    expect(due.decided.map((d) => d.vector.symbol)).toEqual(due.decided.map((d) => d.candidate.symbol));
    // The next bar's vector finds nothing left to rank from the previous one.
    clock.set(closeOf(btc[at + 1]!));
    expect(live.receive(btc[at + 1]!).cycles).toEqual([]);
  });

  it('vetoes stale_data the candidates of a cycle restored later than the vector age limit; sooner, ranks them as an uninterrupted run', () => {
    const at = firstProposingBar();
    const universe = ['BTC-USDT', 'ETH-USDT'];
    const clock = new VirtualClock(closeOf(btc[0]!));
    const timed = () => engine({ clock, universe, maxVectorAgeMs: 60_000, cycleGraceMs: 30_000 });
    const uninterrupted = timed();
    for (const v of btc.slice(0, at)) {
      clock.set(closeOf(v));
      uninterrupted.receive(v, closeOf(v));
      const e = ethAt.get(v.openTime);
      if (e) uninterrupted.receive(e, closeOf(v));
    }
    const bar = btc[at]!;
    clock.set(closeOf(bar));
    // BTC's vector waits for ETH's, which never comes: the process dies with the cycle open.
    const { waiting } = uninterrupted.receive(bar, closeOf(bar));
    expect(waiting?.candidates.length).toBeGreaterThan(0);
    const restoredAt = (ms: number) => {
      clock.set(closeOf(bar) + ms);
      const restarted = timed();
      restarted.restore([waiting!]);
      return restarted.due();
    };
    // Back 60 s after the close, the grace run out: ranked as the uninterrupted run ranks it at its deadline.
    const soon = restoredAt(60_000);
    expect(soon.decided.length).toBe(waiting?.candidates.length);
    expect(soon).toEqual(uninterrupted.due());
    expect(soon.decided.map((d) => d.candidate.veto?.reason)).not.toContain('stale_data');
    // Back two hours later: the same candidates, each vetoed as a vector delivered that late would be.
    const late = restoredAt(2 * HOUR);
    expect(late.cycles).toEqual(soon.cycles);
    expect(late.decided.map((d) => d.candidate)).toEqual(
      soon.decided.map(({ candidate }) => ({
        ...candidate,
        veto: {
          reason: 'stale_data',
          detail: `bar closed ${2 * HOUR} ms before its cycle, restored after a restart, was ranked: over the 60000 ms vector age limit`,
        },
      })),
    );
  });

  it('keeps two exchanges quoting the same symbols in two cycles, each ranked when its own symbols reported', () => {
    const universe = ['BTC-USDT', 'ETH-USDT'];
    const cycles = engine({ universe });
    // The same recorded bars, as a second venue would quote them.
    const bybit = (v: FeatureVector): FeatureVector => ({ ...v, exchange: 'bybit' });
    let compared = 0;
    for (const v of btc) {
      const e = ethAt.get(v.openTime);
      if (!e) continue;
      cycles.receive(v);
      cycles.receive(bybit(v));
      const binance = cycles.receive(e);
      const other = cycles.receive(bybit(e));
      expect(binance.cycles.map((c) => [c.exchange, c.openTime, c.missing])).toEqual([
        ['binance', v.openTime, []],
      ]);
      expect(other.cycles.map((c) => [c.exchange, c.openTime, c.missing])).toEqual([
        ['bybit', v.openTime, []],
      ]);
      expect(new Set(binance.decided.map((d) => d.candidate.exchange))).not.toContain('bybit');
      expect(other.decided.map((d) => d.vector.openTime)).toEqual(other.decided.map(() => v.openTime));
      if (other.decided.length > 0) compared++;
      expect(other.decided.map((d) => ({ ...d.candidate, id: '', exchange: 'binance' }))).toEqual(
        binance.decided.map((d) => ({ ...d.candidate, id: '' })),
      );
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('a vector one strategy cannot read still gives the others’ proposals, names the strategy, and repeats itself', () => {
    // 2017-09-10 00:00: trend_pullback proposes, and a squeeze in the bars before has the breakout read the bands.
    const at = btc.findIndex((v) => v.openTime === Date.UTC(2017, 8, 10, 0));
    const { bbUpper: _upper, bbLower: _lower, ...indicators } = btc[at]!.indicators;
    const lacking = { ...btc[at]!, indicators };
    const reading = engine();
    for (const v of btc.slice(0, at)) reading.onFeatures(v);
    const first = reading.receive(lacking);
    expect(first.outcome).toBe('new');
    expect(first.unreadable).toEqual([
      { strategy: 'bollinger_breakout', reason: 'feature vector lacks indicator bbUpper' },
    ]);
    expect(first.decided.map((d) => d.candidate.strategy)).toEqual(['trend_pullback']);
    const again = reading.receive(lacking);
    expect(again).toMatchObject({ outcome: 'repeat', decided: first.decided, unreadable: first.unreadable });
  });

  /** An engine on the universe fed up to bar `at`, BTC's vector of it in, its cycle waiting for ETH's. */
  function atClosingVector() {
    const at = firstProposingBar();
    const cycles = engine({ universe: ['BTC-USDT', 'ETH-USDT'] });
    for (const v of btc.slice(0, at)) {
      cycles.onFeatures(v);
      const e = ethAt.get(v.openTime);
      if (e) cycles.onFeatures(e);
    }
    const bar = btc[at]!;
    cycles.onFeatures(bar);
    /** The same bar from other venues: each waits for its ETH, and is remembered for it. */
    const elsewhere = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ ...bar, exchange: `venue${i}` }));
    return { cycles, closing: ethAt.get(bar.openTime)!, elsewhere };
  }

  it('gives a vector delivered again the candidates of the cycle it closed, however many vectors came since, until they are settled', () => {
    const { cycles, closing, elsewhere } = atClosingVector();
    // Its handler fails after the cycle closed: nothing settled, the vector is delivered again later.
    const first = cycles.receive(closing);
    expect(first.decided.length).toBeGreaterThan(0);
    for (const v of elsewhere(300)) {
      cycles.receive(v);
      cycles.settled(v);
    }
    const again = cycles.receive(closing);
    expect(again).toMatchObject({ outcome: 'repeat', decided: first.decided });
    expect(again.forgotten).toBeUndefined();
  });

  it('says a repeat whose unsettled answer was dropped past the bound is forgotten, not one that had nothing', () => {
    const { cycles, closing, elsewhere } = atClosingVector();
    expect(cycles.receive(closing).decided.length).toBeGreaterThan(0);
    // More answers left unsettled than any bar brings (handlers given up for good).
    for (const v of elsewhere(4_096)) cycles.receive(v);
    expect(cycles.receive(closing)).toMatchObject({ outcome: 'repeat', decided: [], forgotten: true });
    const quiet = btc.find((v) => engine().receive(v).decided.length === 0)!;
    const plain = engine();
    plain.receive(quiet);
    expect(plain.receive(quiet).forgotten).toBeUndefined();
  });

  it('tells a repeat from an out-of-order vector', () => {
    const order = engine();
    order.receive(btc[0]!);
    order.receive(btc[1]!);
    expect(order.receive(btc[1]!).outcome).toBe('repeat');
    expect(order.receive(btc[0]!).outcome).toBe('out_of_order');
  });
});
