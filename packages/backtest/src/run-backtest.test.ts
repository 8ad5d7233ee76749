import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from './backtest-result';
import { type RunBacktestOptions, runBacktest } from './run-backtest';

// Real Binance spot 1h candles: BTCUSDT and ETHUSDT, January and February 2021.
const data = join(sharedDataDir(), 'binance-spot-ohlcv');
const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'backtest');
const options: RunBacktestOptions = {
  files: [join(data, 'BTCUSDT-1h.csv.gz'), join(data, 'ETHUSDT-1h.csv.gz')],
  timeframe: '1h',
  from: Date.UTC(2021, 0, 1),
  to: Date.UTC(2021, 2, 1),
  seed: 7,
  config: {
    exchangeInfoFile: join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz'),
  },
};
const CUT = Date.UTC(2021, 1, 1);

let firstBytes: string;
let secondBytes: string;
let cut: BacktestResult;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  firstBytes = JSON.stringify(await runBacktest(options), null, 2);
  writeFileSync(join(ARTIFACTS, 'OUT.json'), firstBytes);
  secondBytes = JSON.stringify(await runBacktest(options), null, 2);
  cut = await runBacktest({ ...options, to: CUT });
}, 600_000);

/**
 * The trade list accounts for the whole account change: final equity = initial + Σ trade pnl (fees
 * included) + the move of the dust still held (a remainder under one lot step no order can sell: buys pay
 * their fee in base, as on Binance), and the end-of-data close leaves nothing open.
 */
function expectReconciled(out: BacktestResult): void {
  let net = 0;
  for (const t of out.trades) net += t.pnl;
  let dust = 0;
  for (const d of out.dust ?? []) dust += d.unrealized_pnl;
  expect(out.equity.at(-1)!.equity - out.meta.initial_equity).toBeCloseTo(net + dust, 8);
  expect(out.equity.at(-1)!.exposed).toBe(false);
  for (const d of out.dust ?? []) expect(d.qty).toBeLessThan(out.meta.market_rules[d.symbol]!.stepSize);
}

/** Straightforward recomputation from OUT.json alone, independent of metrics.ts. */
/** Time in [start, end] with a trade open, by a sweep over every entry and exit. */
function heldMs(trades: BacktestResult['trades'], start: number, end: number): number {
  const edges = trades.flatMap((t) => [
    { at: Math.min(Math.max(t.entry_time, start), end), d: 1 },
    { at: Math.min(Math.max(t.exit_time, start), end), d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let open = 0;
  let held = 0;
  let since = start;
  for (const e of edges) {
    if (open > 0) held += e.at - since;
    open += e.d;
    since = e.at;
  }
  return held;
}

function recompute(out: BacktestResult) {
  const pnls = out.trades.map((t) => t.pnl);
  let net = 0;
  for (const p of pnls) net += p;
  let fees = 0;
  for (const t of out.trades) fees += t.fees;
  let winSum = 0;
  let winCount = 0;
  let lossSum = 0;
  let lossCount = 0;
  for (const p of pnls) {
    if (p > 0) {
      winSum += p;
      winCount++;
    } else if (p < 0) {
      lossSum += p;
      lossCount++;
    }
  }
  const eq = out.equity.map((p) => p.equity);
  const returns: number[] = [];
  for (let i = 1; i < eq.length; i++) returns.push(eq[i]! / eq[i - 1]! - 1);
  let rSum = 0;
  for (const r of returns) rSum += r;
  const rMean = rSum / returns.length;
  let sq = 0;
  for (const r of returns) sq += (r - rMean) ** 2;
  let down = 0;
  for (const r of returns) down += Math.min(r, 0) ** 2;
  const perYear = (365.25 * 24 * 3_600_000) / 3_600_000;
  let peak = -Infinity;
  let dd = 0;
  for (const e of eq) {
    if (e > peak) peak = e;
    if (((peak - e) / peak) * 100 > dd) dd = ((peak - e) / peak) * 100;
  }
  const first = out.equity[0]!;
  const last = out.equity[out.equity.length - 1]!;
  const years = (last.time - first.time) / (365.25 * 86_400_000);
  return {
    net_pnl: net,
    return_pct: (last.equity / out.meta.initial_equity - 1) * 100,
    cagr_pct: ((last.equity / first.equity) ** (1 / years) - 1) * 100,
    sharpe: (rMean / Math.sqrt(sq / (returns.length - 1))) * Math.sqrt(perYear),
    sortino: (rMean / Math.sqrt(down / returns.length)) * Math.sqrt(perYear),
    max_drawdown_pct: dd,
    win_rate: winCount / out.trades.length,
    avg_win: winCount ? winSum / winCount : 0,
    avg_loss: lossCount ? lossSum / lossCount : 0,
    expectancy: net / out.trades.length,
    gross_profit: winSum,
    gross_loss: 0 - lossSum,
    profit_factor: lossSum < 0 ? winSum / -lossSum : null,
    exposure_pct: (heldMs(out.trades, first.time, last.time) / (last.time - first.time)) * 100,
    trades: out.trades.length,
    fees,
  };
}

describe('runBacktest over real BTCUSDT and ETHUSDT 1h candles (Jan–Feb 2021)', () => {
  it('trades through the services: entries, and exits by the stops service', () => {
    const out = JSON.parse(firstBytes) as BacktestResult;
    // 59 days × 24 h × 2 symbols, less the hour both files lack (a real Binance gap, 2021-02-11 03:00).
    expect(out.meta.candles).toBe(2 * 59 * 24 - 2);
    // What a go-live gate judges a result file's costs and review by: the defaults here, no hour table.
    expect(out.meta.gate_settings).toEqual({
      takerFee: 0.001,
      makerFee: 0.001,
      slippageBps: 5,
      agents: 'rules',
    });
    expect(out.trades.length).toBeGreaterThan(0);
    expect(out.trades.some((t) => t.exit_reason === 'stop' || t.exit_reason === 'take_profit')).toBe(true);
    for (const t of out.trades) {
      expect(t.exit_time).toBeGreaterThanOrEqual(t.entry_time);
      const direction = t.side === 'long' ? 1 : -1;
      // Realised on what the exits sold: a buy's fee taken in base is not sold (it counts in fees). A
      // trade that sold the dust an earlier one left (under a lot step) also realised that dust's move
      // from its entry to this trade's first fill: less than a step's worth at this trade's entry.
      const onSold = (t.exit_price - t.entry_price) * (t.exit_qty ?? t.qty) * direction - t.fees;
      const step = out.meta.market_rules[t.symbol]!.stepSize;
      expect(Math.abs(t.pnl - onSold)).toBeLessThan(step * t.entry_price);
    }
    expectReconciled(out);
  });

  it('reports metrics that a straightforward recomputation from OUT.json reproduces exactly', () => {
    const out = JSON.parse(readFileSync(join(ARTIFACTS, 'OUT.json'), 'utf8')) as BacktestResult;
    expect(out.metrics).toEqual(recompute(out));
  });

  it('is deterministic: the same input gives byte-identical output', () => {
    expect(secondBytes).toBe(firstBytes);
  });

  it('does not look ahead: cut off at 2021-02-01, every decision and trade before the cut is identical', () => {
    const full = JSON.parse(firstBytes) as BacktestResult;
    const lastStep = cut.equity.at(-1)!.time;
    const before = <T extends { time: number }>(xs: T[]) => xs.filter((x) => x.time < lastStep);
    expect(before(cut.decisions).length).toBeGreaterThan(0);
    expect(before(full.decisions)).toEqual(before(cut.decisions));
    const closedBefore = (r: BacktestResult) =>
      r.trades.filter((t) => t.exit_time < lastStep && t.exit_reason !== 'end_of_data');
    expect(closedBefore(cut).length).toBeGreaterThan(0);
    expect(closedBefore(full)).toEqual(closedBefore(cut));
    expect(full.equity.filter((p) => p.time < lastStep)).toEqual(cut.equity.filter((p) => p.time < lastStep));
  });
});

// A candle book quotes the configured slippage as its spread: risk's entry_off_market gate measures from
// the mid, so a backtest with slippage above maxEntryGapBps (50) still trades.
describe('runBacktest with 60 bps of slippage (BTCUSDT 1h, January 2021)', () => {
  it('trades: the entries are not refused as off the market', { timeout: 300_000 }, async () => {
    const result = await runBacktest({
      ...options,
      files: [join(data, 'BTCUSDT-1h.csv.gz')],
      to: CUT,
      config: { ...options.config, slippageBps: 60 },
    });
    expect(result.trades.length).toBeGreaterThan(0);
    expect(result.decisions.filter((d) => d.outcome === 'denied:entry_off_market')).toEqual([]);
  });
});

// A window that ends while a position is open, its stop resting on the paper venue (which locks the coins
// it covers, as Binance spot does): the end-of-data close must free them as a live close does.
describe('runBacktest ending with a protected position open (BTCUSDT and ETHUSDT 1h, 2021-01-01 to 01-04)', () => {
  it('closes it at the end of data and reports it: the trades add up to the account change', {
    timeout: 300_000,
  }, async () => {
    const out = await runBacktest({ ...options, to: Date.UTC(2021, 0, 4) });
    expect(out.trades.filter((t) => t.exit_reason === 'end_of_data')).toMatchObject([
      { symbol: 'ETH-USDT', side: 'long' },
    ]);
    expectReconciled(out);
  });
});
