import type { NatsBus } from '@ballast/bus';
import { pattern, Subjects, subject } from '@ballast/contracts';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { type PipelineWatch, type ReplayClockFile, waitFor } from '@ballast/testkit';
import { candleBook } from '../candle-book';
import type { ReplayStep } from '../replay-steps';
import { TradeLedger } from '../trade-ledger';

const TERMINAL = new Set(['filled', 'cancelled', 'rejected']);

/** What a test sees of services trading a replay on the bus, as the backtest runtime's listeners do. */
export interface ReplayWatch {
  /** Round trips from the order events, as the backtest counts them. */
  readonly ledger: TradeLedger;
  /** Every approved entry and submitted order has reached a terminal order event. */
  settled(): boolean;
  /** Closed candles market-data published so far. */
  candlesSeen(): number;
}

/** Subscribes (durables `<label>-*`) to candles, risk decisions, order commands and order events. */
export async function watchReplay(bus: NatsBus, label: string): Promise<ReplayWatch> {
  const strategies = new Map<string, string>();
  const ledger = new TradeLedger((intentId) => (intentId ? (strategies.get(intentId) ?? null) : null));
  const awaited = new Set<string>();
  const finished = new Set<string>();
  let candles = 0;
  await bus.subscribe(pattern(Subjects.candle), () => void candles++, { durable: `${label}-candles` });
  await bus.subscribe(
    subject(Subjects.riskDecision, {}),
    (m) => {
      if (!m.payload.approved) return;
      strategies.set(m.payload.intent.intentId, m.payload.intent.strategy);
      awaited.add(m.payload.intent.intentId);
    },
    { durable: `${label}-risk` },
  );
  await bus.subscribe(
    subject(Subjects.orderCommand, {}),
    (m) => {
      if (m.payload.kind === 'submit') awaited.add(m.payload.intentId);
    },
    { durable: `${label}-commands` },
  );
  await bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m) => {
      ledger.onOrderEvent(m.payload);
      if (m.payload.intentId && TERMINAL.has(m.payload.status)) finished.add(m.payload.intentId);
    },
    { durable: `${label}-orders` },
  );
  return {
    ledger,
    settled: () => [...awaited].every((id) => finished.has(id)),
    candlesSeen: () => candles,
  };
}

export interface BarReplay {
  readonly bus: NatsBus;
  readonly sim: ExchangeSim;
  readonly clock: ReplayClockFile;
  readonly pipeline: PipelineWatch;
  readonly watch: ReplayWatch;
  /** Normalised, on the simulator's Binance venue, e.g. `ETH-USDT`. */
  readonly symbol: string;
  readonly slippageBps: number;
  readonly tickSize: number;
  /** Per wait for an idle pipeline or a published candle (a loaded machine is slow). */
  readonly timeoutMs: number;
}

/**
 * Replays bar `index` through the services, as the backtest settles a bar: the clock moves to its
 * close, the candle book (recorded klines carry no depth) is published, and once the pipeline is idle
 * the simulator sends the candle; returns when market-data published it and the pipeline is idle again.
 */
export async function replayBar(replay: BarReplay, step: ReplayStep, index: number): Promise<void> {
  const { bus, sim, clock, pipeline, watch } = replay;
  const idle = () => pipeline.waitIdle({ settled: watch.settled, timeoutMs: replay.timeoutMs });
  const time = step.candle.closeTime + 1;
  clock.set(time);
  const book = candleBook(
    'binance',
    replay.symbol,
    step.quote,
    replay.slippageBps,
    replay.tickSize,
    time,
    index + 1,
  );
  await bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: replay.symbol }), book);
  await idle();
  if (sim.controls.step(1, 'binance-candles') !== 1)
    throw new Error(`the simulator has no candle left for bar ${index}`);
  await waitFor(() => watch.candlesSeen() > index, `market-data to publish bar ${index}`, {
    timeoutMs: replay.timeoutMs,
    intervalMs: 2,
  });
  await idle();
}
