import type { Bus } from '@ballast/bus';
import {
  type BookUpdate,
  type Clock,
  type Envelope,
  type IdGenerator,
  pattern,
  Subjects,
  type Trade,
} from '@ballast/contracts';
import { StreamedBooks } from '@ballast/core';
import { BotStateRepository, type Database, OrderSliceRepository, PaperAccountRepository } from '@ballast/db';
import { CcxtVenue, type OrderVenue, PaperVenue } from '@ballast/exchange';
import { KillStore } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { OrdersConfig } from './config';
import { IntentPlans } from './intent-plans';
import { assertLiveStart, isLoopback, LiveStrategies } from './live-gate';
import { OrderManager, type OrderManagerDeps } from './order-manager';
import { OrderMetrics } from './order-metrics';
import { assertNoPaperLeftovers, venueKinds } from './paper-leftovers';
import { paperStore } from './paper-store';
import { SlippageBook } from './slippage-book';

export interface OrdersDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  config: OrdersConfig;
  log: OrderManagerDeps['log'];
  random01?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Replaces the configured venue (tests hand in a paper venue over a recorded book). */
  venue?: OrderVenue;
  /** The service's registry; execution metrics are exported on it. */
  metrics?: Registry;
  /** Where the kill switch survives a restart; default bot_state `kill:orders` of `db`. */
  kill?: OrderManagerDeps['kill'];
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts the order manager: the venue from config, books and trades for the paper broker. */
export async function startOrders(
  deps: OrdersDeps,
): Promise<AsyncDisposable & { manager: OrderManager; venue: OrderVenue }> {
  // Real money only behind the readiness gate. A venue handed in by a test, or one on loopback (the
  // exchange simulator), moves no real money.
  if (!deps.venue && deps.config.ORDERS_VENUE_KIND === 'ccxt') {
    if (isLoopback(deps.config.EXCHANGE_BASE_URL))
      deps.log.warn(
        { baseUrl: deps.config.EXCHANGE_BASE_URL },
        'venue on loopback: readiness gate not applied',
      );
    else await assertLiveStart(deps.db, deps.clock, deps.config.LIVE_STRATEGIES);
  }
  const books = new StreamedBooks();
  const venue = deps.venue ?? (await buildVenue(deps, books));
  if (!deps.venue) await claimAccount(deps, venue);
  const stops: Array<() => Promise<void>> = [];
  const liveStrategies = await gateEntries(deps);
  if (liveStrategies) stops.push(async () => liveStrategies.stop());
  // The paper broker's book is the stream already; a live venue's stream spares a REST book per order.
  const paper = venue instanceof PaperVenue;
  const onBook = applyBook(books, deps.log);
  if (paper) stops.push(...(await feedPaperVenue(deps.bus, venue, onBook)));
  else if (deps.config.ORDERS_BOOK_MAX_AGE_MS > 0) stops.push(await followBooks(deps.bus, venue.id, onBook));
  let manager: OrderManager | undefined;
  const metrics = deps.metrics
    ? new OrderMetrics(deps.metrics, deps.clock, () => manager?.killed ?? false)
    : undefined;
  manager = new OrderManager({
    bus: deps.bus,
    venue,
    // Every account's orders are in one table: this service's work is its own venue's.
    slices: new OrderSliceRepository(deps.db, deps.clock, venue.id),
    intents: new IntentPlans(deps.db, deps.clock),
    kill: deps.kill ?? new KillStore(new BotStateRepository(deps.db, deps.clock), 'orders'),
    clock: deps.clock,
    config: deps.config,
    log: deps.log,
    // Jitter for TWAP timing and retry backoff; not a trading decision, so system randomness is fine here.
    random01: deps.random01 ?? Math.random,
    sleep: deps.sleep ?? realSleep,
    ...(metrics ? { metrics } : {}),
    ...(liveStrategies ? { liveStrategies } : {}),
    slippageBook: new SlippageBook({
      venue,
      ...(paper ? {} : { streamed: books }),
      clock: deps.clock,
      maxAgeMs: deps.config.ORDERS_BOOK_MAX_AGE_MS,
    }),
  });
  await manager.start();
  return {
    manager,
    venue,
    async [Symbol.asyncDispose]() {
      await manager.stop();
      for (const stop of stops) await stop();
    },
  };
}

/**
 * The paper and the live account share the venue's id: a live start takes over no position or order
 * the paper account left open under it (ADR 22), and each start records the kind it runs on.
 */
async function claimAccount(deps: OrdersDeps, venue: OrderVenue): Promise<void> {
  const { db, clock, config } = deps;
  if (config.ORDERS_VENUE_KIND === 'ccxt')
    await assertNoPaperLeftovers({
      db,
      clock,
      venue,
      slices: () => new OrderSliceRepository(db, clock, venue.id).all(),
    });
  await venueKinds(db, clock, venue.id).record(config.ORDERS_VENUE_KIND);
}

const DEFAULT_LIVE_STRATEGIES_REFRESH_MS = 5_000;

/**
 * On a live venue, the strategies whose entries may be sent, re-read as the readiness gate promotes
 * or demotes them. Also on loopback when LIVE_STRATEGIES is set (a rehearsal against the simulator);
 * none on paper, on a venue handed in by a test, or on loopback without LIVE_STRATEGIES.
 */
async function gateEntries(deps: OrdersDeps): Promise<LiveStrategies | undefined> {
  const { config } = deps;
  if (deps.venue || config.ORDERS_VENUE_KIND !== 'ccxt') return undefined;
  if (isLoopback(config.EXCHANGE_BASE_URL) && config.LIVE_STRATEGIES.length === 0) return undefined;
  const gate = new LiveStrategies({
    db: deps.db,
    clock: deps.clock,
    strategies: config.LIVE_STRATEGIES,
    refreshMs: config.LIVE_STRATEGIES_REFRESH_MS ?? DEFAULT_LIVE_STRATEGIES_REFRESH_MS,
    log: deps.log,
  });
  await gate.start();
  return gate;
}

async function buildVenue(deps: OrdersDeps, books: StreamedBooks): Promise<OrderVenue> {
  const { config } = deps;
  const credentials =
    config.EXCHANGE_API_KEY && config.EXCHANGE_API_SECRET
      ? { apiKey: config.EXCHANGE_API_KEY, secret: config.EXCHANGE_API_SECRET }
      : undefined;
  const live = new CcxtVenue({
    venue: config.ORDERS_VENUE,
    exchangeId: config.ORDERS_VENUE,
    ...(config.EXCHANGE_BASE_URL ? { baseUrl: config.EXCHANGE_BASE_URL } : {}),
    ...(credentials ? { credentials } : {}),
    recvWindowMs: config.ORDERS_RECV_WINDOW_MS,
    clock: deps.clock,
  });
  if (config.ORDERS_VENUE_KIND === 'ccxt') return live;
  // Paper trading still takes precision and minimums from the real market definitions.
  const rules = new Map<string, Awaited<ReturnType<OrderVenue['marketRules']>>>();
  return PaperVenue.open({
    venue: config.ORDERS_VENUE,
    // The streamed book while it is in sequence and fresh, as the live slippage check trusts it: one
    // market-data stopped updating would fill paper orders at prices long gone.
    book: (symbol) => books.fresh(symbol, deps.clock.now(), config.ORDERS_BOOK_MAX_AGE_MS),
    // Otherwise (after a restart: until market-data's next resync; or while it is down) the venue's
    // public REST depth, as the live slippage check reads it.
    restBook: (symbol, limit) => live.orderBook(symbol, limit),
    rules: (symbol) => {
      const r = rules.get(symbol);
      if (!r) throw new Error(`no market rules for ${symbol} yet`);
      return r;
    },
    fees: { maker: config.PAPER_MAKER_FEE, taker: config.PAPER_TAKER_FEE, feesIn: config.PAPER_FEES_IN },
    store: paperStore(new PaperAccountRepository(deps.db, deps.clock)),
    clock: deps.clock,
    // How far the venue's clock (a print's time) may run behind ours, as for the live venue's sends.
    printSkewMs: config.ORDERS_CLOCK_SKEW_MS,
    ids: deps.ids,
    latencyMs: config.PAPER_LATENCY_MS,
    initialBalances: config.PAPER_INITIAL_BALANCES,
  }).then((paper) => withLiveRules(paper, live, rules));
}

/**
 * A paper order takes the market's rules from the live venue, read again as the live venue does (once
 * older than RULES_MAX_AGE_MS, CcxtVenue): kept from the first order on, a paper account ran on a step
 * or minimum the venue had long changed. A read that fails keeps the markets read before (CcxtVenue).
 */
function withLiveRules(
  paper: PaperVenue,
  live: CcxtVenue,
  cache: Map<string, Awaited<ReturnType<OrderVenue['marketRules']>>>,
): PaperVenue {
  const original = paper.marketRules.bind(paper);
  paper.marketRules = async (symbol: string) => {
    cache.set(symbol, await live.marketRules(symbol));
    return original(symbol);
  };
  return paper;
}

async function feedPaperVenue(
  bus: Bus,
  venue: PaperVenue,
  onBook: (m: Envelope<BookUpdate>) => void,
): Promise<Array<() => Promise<void>>> {
  const onTrade = async (m: Envelope<Trade>) => {
    await venue.onTrade(m.payload);
  };
  const a = await bus.subscribe(pattern(Subjects.book, { exchange: venue.id }), onBook, {
    durable: `orders-${venue.id}-paper-book`,
  });
  const b = await bus.subscribe(pattern(Subjects.trade, { exchange: venue.id }), onTrade, {
    durable: `orders-${venue.id}-paper-trade`,
  });
  return [() => a.stop(), () => b.stop()];
}

/** The live venue's streamed books (md.book), for the slippage check. */
async function followBooks(
  bus: Bus,
  venue: string,
  onBook: (m: Envelope<BookUpdate>) => void,
): Promise<() => Promise<void>> {
  const sub = await bus.subscribe(pattern(Subjects.book, { exchange: venue }), onBook, {
    durable: `orders-${venue}-book`,
  });
  return () => sub.stop();
}

/**
 * Applies each md.book message to the streamed books; one older than the book (delivered again after
 * newer ones: a redelivery, a publisher's retry) is skipped there and, being rare, logged.
 */
function applyBook(books: StreamedBooks, log: OrdersDeps['log']): (m: Envelope<BookUpdate>) => void {
  return (m) => {
    if (books.apply(m) === 'applied') return;
    const { exchange, symbol, kind, lastUpdateId } = m.payload;
    log.warn({ exchange, symbol, kind, lastUpdateId }, 'book update older than the book: skipped');
  };
}
