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
import { BarPath, type PathPrint, pathTrade, replayPaths, watchedLevels } from '../bar-path';
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
  /** The services' database: the stops they hold and the paper orders resting decide which bars print. */
  readonly db: Kysely<Database>;
  /** Ids of the books and prints published so far (a book's id only ever grows). */
  readonly published: { books: number; prints: number };
}

/**
 * Replays bar `index` through the services, as the backtest settles a bar: where a stop, a take-profit or
 * a resting order watches the market, the bar prints along its path first (bar-path.ts); then the clock
 * moves to its close, the candle book (recorded klines carry no depth) is published, and once the
 * pipeline is idle the simulator sends the candle; returns when market-data published it and the pipeline
 * is idle again.
 */
export async function replayBar(replay: BarReplay, step: ReplayStep, index: number): Promise<void> {
  const { sim, clock, watch } = replay;
  await printBar(replay, step.candle);
  clock.set(step.candle.closeTime + 1);
  await publishBook(replay, step.quote);
  if (sim.controls.step(1, 'binance-candles') !== 1)
    throw new Error(`the simulator has no candle left for bar ${index}`);
  await waitFor(() => watch.candlesSeen() > index, `market-data to publish bar ${index}`, {
    timeoutMs: replay.timeoutMs,
    intervalMs: 2,
  });
  await idle(replay);
}

/** What a paper order row tells of whether it rests on the book. */
const RestingView = z.object({ symbol: z.string(), status: OrderStatus });

async function printBar(replay: BarReplay, candle: Candle): Promise<void> {
  const stops = new ProtectiveStopRepository(replay.db, replay.clock, StopRecord);
  const levels = async () => watchedLevels(await stops.active('binance'), replay.symbol);
  const paper = new PaperAccountRepository(replay.db, replay.clock);
  const resting = (await paper.loadOrders('binance', RestingView)).filter(
    (o) => o.symbol === replay.symbol && isOpenOrder(o),
  );
  if ((await levels()).length === 0 && resting.length === 0) return;
  await replayPaths([{ path: new BarPath(candle), levels }], (c, p) => printAt(replay, c, p));
}

/** A print inside the bar, as the backtest runtime makes it: the book moves there, then the trade. */
async function printAt(replay: BarReplay, candle: Candle, p: PathPrint): Promise<void> {
  replay.clock.set(Math.max(replay.clock.now(), p.time));
  await publishBook(replay, p.price);
  const trade = pathTrade('binance', candle, p, ++replay.published.prints);
  await replay.bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: replay.symbol }), trade, {
    eventTime: p.time,
  });
  await idle(replay);
}

async function publishBook(replay: BarReplay, price: number): Promise<void> {
  const book = candleBook(
    'binance',
    replay.symbol,
    price,
    replay.slippageBps,
    replay.tickSize,
    replay.clock.now(),
    ++replay.published.books,
  );
  await replay.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: replay.symbol }), book);
  await idle(replay);
}

function idle(replay: BarReplay): Promise<void> {
  return replay.pipeline.waitIdle({ settled: replay.watch.settled, timeoutMs: replay.timeoutMs });
}
