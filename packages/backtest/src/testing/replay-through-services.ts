import type { NatsBus } from '@ballast/bus';
import { type Candle, OrderStatus, pattern, Subjects, subject } from '@ballast/contracts';
import type { TradableRules } from '@ballast/core';
import { type Database, PaperAccountRepository, ProtectiveStopRepository } from '@ballast/db';
import { isOpenOrder } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { StopRecord } from '@ballast/stops-service';
import { type PipelineWatch, type ReplayClockFile, waitFor } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { BarPath, type PathPrint, type PathReplay, pathTrade, replayPaths, watchedLevels } from '../bar-path';
import { candleBook } from '../candle-book';
import { endOfDataStatus } from '../end-of-data-status';
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
  /** The last closed candle market-data published, if any. */
  lastCandle(): Candle | undefined;
}

/**
 * Subscribes (durables `<label>-*`) to candles, risk decisions, order commands and order events; its
 * ledger closes a trade whose exit left dust by the market's `rules`, as the backtest's does (a buy's
 * fee is taken in the base, so no exit sells everything).
 */
export async function watchReplay(
  bus: NatsBus,
  label: string,
  rules: (symbol: string) => TradableRules,
): Promise<ReplayWatch> {
  const strategies = new Map<string, string>();
  const ledger = new TradeLedger((intentId) => (intentId ? (strategies.get(intentId) ?? null) : null), rules);
  const awaited = new Set<string>();
  const finished = new Set<string>();
  let candles = 0;
  let last: Candle | undefined;
  await bus.subscribe(
    pattern(Subjects.candle),
    (m) => {
      candles++;
      last = m.payload;
    },
    { durable: `${label}-candles` },
  );
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
    lastCandle: () => last,
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
  /** The services' database: the stops they hold and the paper orders resting decide which bars print. */
  readonly db: Kysely<Database>;
  /** Ids of the books and prints published so far (a book's id only ever grows). */
  readonly published: { books: number; prints: number };
}

/** Replaying the markets of a universe, whose bars close at the same instants. */
export interface UniverseReplay extends Omit<BarReplay, 'symbol' | 'tickSize'> {
  tickSize(symbol: string): number;
  /**
   * After each instant the clock passes the signals cycle deadline (close + grace), as the backtest's
   * `cycleDeadline` does, and the replay waits until the signals service ranked that instant's cycle
   * (`ranked`: cycles ranked so far, complete or at their deadline, from its metrics).
   */
  readonly cycles?: { readonly graceMs: number; ranked(): Promise<number> };
  /**
   * The bars of one close go out in reverse symbol order (the backtest steps them in symbol order): live
   * they arrive in any order, and what the services make of a cycle must not depend on it.
   */
  readonly reversed?: boolean;
}

/**
 * Replays bar `index` through the services, as the backtest settles a bar: where a stop, a take-profit or
 * a resting order watches the market, the bar prints along its path first (bar-path.ts); then the clock
 * moves to its close, the candle book (recorded klines carry no depth) is published, and once the
 * pipeline is idle the simulator sends the candle; returns when market-data published it and the pipeline
 * is idle again.
 */
export async function replayBar(replay: BarReplay, step: ReplayStep, index: number): Promise<void> {
  await replayInstant({ ...replay, tickSize: () => replay.tickSize }, [step], index);
}

/**
 * Replays every step, an instant at a time (`lastAtTime`), as `runBacktest` does: the bars closing at
 * an instant print along their paths together, then each candle goes out in the steps' order (time,
 * then symbol, or the reverse: the simulator's order), each once the pipeline is idle; then the cycle deadline.
 */
export async function replayAll(replay: UniverseReplay, steps: readonly ReplayStep[]): Promise<void> {
  let first = 0;
  let instants = 0;
  for (const [i, step] of steps.entries()) {
    if (!step.lastAtTime) continue;
    const instant = steps.slice(first, i + 1);
    if (replay.reversed) instant.reverse();
    await replayInstant(replay, instant, first);
    instants++;
    if (replay.cycles) await passCycleDeadline(replay, replay.cycles, step.candle.closeTime, instants);
    first = i + 1;
  }
}

/** The bars of one instant (steps `index`…): printed along their paths, then sent one by one. */
async function replayInstant(
  replay: UniverseReplay,
  steps: readonly ReplayStep[],
  index: number,
): Promise<void> {
  const { sim, clock, watch } = replay;
  await printBars(
    replay,
    steps.map((s) => s.candle),
  );
  for (const [k, step] of steps.entries()) {
    const { candle } = step;
    clock.set(candle.closeTime + 1);
    // As the backtest runtime: a market's last bar has no next one to fill an entry at (ADR 5).
    if (!step.hasNext) await publishEndOfData(replay, candle.symbol);
    await publishBook(replay, candle.symbol, step.quote);
    const bar = index + k;
    if (sim.controls.step(1, 'binance-candles') !== 1)
      throw new Error(`the simulator has no candle left for bar ${bar}`);
    await waitFor(() => watch.candlesSeen() > bar, `market-data to publish bar ${bar}`, {
      timeoutMs: replay.timeoutMs,
      intervalMs: 2,
    });
    const sent = watch.lastCandle();
    if (sent?.symbol !== candle.symbol || sent.openTime !== candle.openTime)
      throw new Error(
        `bar ${bar}: the simulator sent ${sent?.symbol} ${sent?.openTime}, not ${candle.symbol} ${candle.openTime}`,
      );
    await idle(replay);
  }
}

async function passCycleDeadline(
  replay: UniverseReplay,
  cycles: NonNullable<UniverseReplay['cycles']>,
  closeTime: number,
  instants: number,
): Promise<void> {
  replay.clock.set(Math.max(replay.clock.now(), closeTime + 1 + cycles.graceMs));
  await waitFor(async () => (await cycles.ranked()) >= instants, `the signals cycle of instant ${instants}`, {
    timeoutMs: replay.timeoutMs,
    intervalMs: 5,
  });
  await idle(replay);
}

/** What a paper order row tells of whether it rests on the book. */
const RestingView = z.object({ symbol: z.string(), status: OrderStatus });

/** As the backtest runtime's `printBars`: the markets where something watches prices print together. */
async function printBars(replay: UniverseReplay, candles: readonly Candle[]): Promise<void> {
  const stops = new ProtectiveStopRepository(replay.db, replay.clock, StopRecord);
  const paper = new PaperAccountRepository(replay.db, replay.clock);
  const orders = await paper.loadOrders('binance', RestingView);
  const replays: PathReplay[] = [];
  for (const candle of candles) {
    const levels = async () => watchedLevels(await stops.active('binance'), candle.symbol);
    const resting = orders.filter((o) => o.symbol === candle.symbol && isOpenOrder(o));
    if ((await levels()).length > 0 || resting.length > 0)
      replays.push({ path: new BarPath(candle), levels });
  }
  if (replays.length > 0) await replayPaths(replays, (c, p) => printAt(replay, c, p));
}

/** A print inside the bar, as the backtest runtime makes it: the book moves there, then the trade. */
async function printAt(replay: UniverseReplay, candle: Candle, p: PathPrint): Promise<void> {
  replay.clock.set(Math.max(replay.clock.now(), p.time));
  await publishBook(replay, candle.symbol, p.price);
  const trade = pathTrade('binance', candle, p, ++replay.published.prints);
  await replay.bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: candle.symbol }), trade, {
    eventTime: p.time,
  });
  await idle(replay);
}

async function publishBook(replay: UniverseReplay, symbol: string, price: number): Promise<void> {
  const book = candleBook(
    'binance',
    symbol,
    price,
    replay.slippageBps,
    replay.tickSize(symbol),
    replay.clock.now(),
    ++replay.published.books,
  );
  await replay.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol }), book);
  await idle(replay);
}

async function publishEndOfData(replay: UniverseReplay, symbol: string): Promise<void> {
  const status = endOfDataStatus('binance', symbol, replay.clock.now());
  await replay.bus.publish(subject(Subjects.feedStatus, { exchange: 'binance' }), status);
  await idle(replay);
}

function idle(replay: UniverseReplay): Promise<void> {
  return replay.pipeline.waitIdle({ settled: replay.watch.settled, timeoutMs: replay.timeoutMs });
}
