import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';
import type { BacktestDecision } from './backtest-result';
import { loadExchangeInfoRules } from './exchange-info-rules';
import { runBacktest } from './run-backtest';
import { candleCsv, type ReplayStack, startReplayStack } from './testing';

// parity.nats.test.ts for a universe of three markets: real Binance spot BTCUSDT, ETHUSDT and SOLUSDT 1h
// candles, 1–5 January 2021 (96 bars each, no gap in any), after the features warm-up's worth of stored
// history. The signals service ranks each cycle across the universe's symbols once all three vectors of
// the bar arrived, and risk sizes and limits every entry against the positions already open on any of
// them: where a live run could part from the backtest, since live the symbols' vectors arrive one by one
// and in any order. So the replay sends the bars of each close in reverse symbol order (the backtest steps
// them in symbol order); ranked by arrival instead (no universe), the trade lists differ (ETH sized 1.9935
// instead of 1.9936 on 2 January, SOL's entry filled first). In the backtest on 2 January 13:00 all three
// propose and two entries (ETH, SOL) are approved in one cycle; five round trips on two symbols, and an
// ETH position still open after the last bar.
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'];
const FROM = Date.UTC(2021, 0, 1);
const TO = Date.UTC(2021, 0, 5);
const INFO = 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz';
const CONFIG = { agents: 'rules' as const, exchangeInfoFile: join(sharedDataDir(), INFO) };

let stack: ReplayStack | undefined;
afterAll(async () => {
  await stack?.close();
});

const infoRules = loadExchangeInfoRules(CONFIG.exchangeInfoFile);
/** A position's size as the end-of-data close sells it: down to the market's lot step. */
function lots(symbol: string, qty: number): number {
  const step = infoRules.get(symbol)!.stepSize;
  return Number((Math.floor(qty / step + 1e-9) * step).toFixed(12));
}

/** The cycles (candidates published at one instant) with candidates of more than one symbol. */
function crossSymbolCycles(decisions: readonly BacktestDecision[], passed: boolean): number[] {
  const symbols = new Map<number, Set<string>>();
  for (const d of decisions) {
    if (passed && d.outcome.startsWith('veto:')) continue;
    symbols.set(d.time, (symbols.get(d.time) ?? new Set()).add(d.symbol));
  }
  return [...symbols].filter(([, s]) => s.size > 1).map(([time]) => time);
}

it('replays a universe of three markets through the services as processes on NATS into the backtest trade list', {
  timeout: 1_200_000,
}, async () => {
  const expected = await runBacktest({
    files: SYMBOLS.map((s) => join(sharedDataDir(), candleCsv(s))),
    timeframe: '1h',
    from: FROM,
    to: TO,
    seed: 1,
    config: CONFIG,
  });
  expect(expected.meta.symbols).toEqual(SYMBOLS);
  expect(expected.trades.length).toBeGreaterThanOrEqual(3);
  // The ranking across symbols is exercised: a cycle where several symbols proposed, and one where
  // candidates of several symbols passed their vetoes and went on to risk together.
  expect(crossSymbolCycles(expected.decisions, false).length).toBeGreaterThanOrEqual(1);
  expect(crossSymbolCycles(expected.decisions, true).length).toBeGreaterThanOrEqual(1);
  expect(new Set(expected.trades.map((t) => t.symbol)).size).toBeGreaterThan(1);

  stack = await startReplayStack({
    label: 'parity_universe',
    symbols: SYMBOLS,
    from: FROM,
    to: TO,
    config: CONFIG,
    // The backtest steps the bars of a close in symbol order; here they arrive the other way round.
    reversed: true,
  });
  expect(stack.steps.length).toBe(SYMBOLS.length * 96);
  // Each bar of each symbol only once the pipeline is idle, SOL's bar of a close first, BTC's last.
  await stack.replay();

  // The backtest closes what is open after the last bar (end_of_data); live it is still held, to the lot.
  const { ledger } = stack.watch;
  const closedAtEnd = expected.trades.filter((t) => t.exit_reason === 'end_of_data');
  expect(ledger.trades()).toEqual(expected.trades.filter((t) => t.exit_reason !== 'end_of_data'));
  expect(
    ledger.openMarkets().map((o) => ({ symbol: o.symbol, side: o.side, qty: lots(o.symbol, o.qty) })),
  ).toEqual(closedAtEnd.map((t) => ({ symbol: t.symbol, side: t.side, qty: t.exit_qty })));
  for (const p of stack.services) expect(p.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
});
