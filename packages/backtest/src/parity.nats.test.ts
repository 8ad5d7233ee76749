import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';
import { runBacktest } from './run-backtest';
import { candleCsv, type ReplayStack, startReplayStack } from './testing';

// Real Binance spot ETHUSDT 1h candles, 1–26 January 2021: 600 bars, after the features warm-up's worth
// of stored history (the backtest stores the same before `from`), four round trips in the backtest. The same candles go once through the in-process
// backtest and once through the exchange simulator into market-data, features, signals (rules agents),
// risk, orders (paper venue) and stops, each its own process on NATS JetStream and PostgreSQL.
//
// What the two runs share by construction, as a live deployment would: the services' code and
// configuration, the recorded candles, the market rules (the exchangeInfo the simulator serves), and
// the quote orders fill at. Recorded klines carry no depth, so in both runs the book is the candle
// book at the next bar's open (candle-book.ts): the backtest runtime publishes it on its MemoryBus,
// the replay (testing/replay-stack.ts) the same book on NATS before the simulator sends the candle. The
// services' injected clock follows the replay (testkit's replay clock), as the backtest's VirtualClock
// does, and passes each cycle's deadline after its bars, as the backtest's `cycleDeadline` does.
// Each bar is replayed only once the pipeline is idle: the backtest's settle, across processes.
const SYMBOL = 'ETH-USDT';
const FROM = Date.UTC(2021, 0, 1);
const TO = Date.UTC(2021, 0, 26);
const INFO = 'binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz';
const CONFIG = { agents: 'rules' as const, exchangeInfoFile: join(sharedDataDir(), INFO) };

let stack: ReplayStack | undefined;
afterAll(async () => {
  await stack?.close();
});

it('replays recorded candles through the services as processes on NATS into the backtest trade list', {
  timeout: 1_200_000,
}, async () => {
  const expected = await runBacktest({
    files: [join(sharedDataDir(), candleCsv(SYMBOL))],
    timeframe: '1h',
    from: FROM,
    to: TO,
    seed: 1,
    config: CONFIG,
  });
  expect(expected.trades.length).toBeGreaterThanOrEqual(3);

  stack = await startReplayStack({
    label: 'parity',
    symbols: [SYMBOL],
    from: FROM,
    to: TO,
    config: CONFIG,
  });
  // Each bar only once the pipeline is idle: the backtest's settle, across processes.
  await stack.replay();

  const { ledger } = stack.watch;
  expect(ledger.openMarkets()).toEqual([]);
  expect(ledger.trades()).toEqual(expected.trades);
  for (const p of stack.services) expect(p.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
});
