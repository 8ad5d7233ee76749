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
import { OrderBook } from '@ballast/core';
import { BotStateRepository, type Database, OrderSliceRepository, PaperAccountRepository } from '@ballast/db';
import { CcxtVenue, type OrderVenue, PaperVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { OrdersConfig } from './config';
import { KillStore } from './kill-store';
import { OrderManager, type OrderManagerDeps } from './order-manager';
import { paperStore } from './paper-store';

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
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts the order manager: the venue from config, books and trades for the paper broker. */
export async function startOrders(
  deps: OrdersDeps,
): Promise<AsyncDisposable & { manager: OrderManager; venue: OrderVenue }> {
  const books = new Map<string, OrderBook>();
  const venue = deps.venue ?? (await buildVenue(deps, books));
  const stops: Array<() => Promise<void>> = [];
  if (venue instanceof PaperVenue) stops.push(...(await feedPaperVenue(deps.bus, venue, books)));
  const manager = new OrderManager({
    bus: deps.bus,
    venue,
    slices: new OrderSliceRepository(deps.db, deps.clock),
    kill: new KillStore(new BotStateRepository(deps.db, deps.clock), 'orders'),
    clock: deps.clock,
    config: deps.config,
    log: deps.log,
    // Jitter for TWAP timing and retry backoff; not a trading decision, so system randomness is fine here.
    random01: deps.random01 ?? Math.random,
    sleep: deps.sleep ?? realSleep,
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

async function buildVenue(deps: OrdersDeps, books: Map<string, OrderBook>): Promise<OrderVenue> {
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
  });
  if (config.ORDERS_VENUE_KIND === 'ccxt') return live;
  // Paper trading still takes precision and minimums from the real market definitions.
  const rules = new Map<string, Awaited<ReturnType<OrderVenue['marketRules']>>>();
  return PaperVenue.open({
    venue: config.ORDERS_VENUE,
    book: (symbol) => books.get(symbol)?.levels(),
    rules: (symbol) => {
      const r = rules.get(symbol);
      if (!r) throw new Error(`no market rules for ${symbol} yet`);
      return r;
    },
    fees: { maker: config.PAPER_MAKER_FEE, taker: config.PAPER_TAKER_FEE },
    store: paperStore(new PaperAccountRepository(deps.db, deps.clock)),
    clock: deps.clock,
    ids: deps.ids,
    latencyMs: config.PAPER_LATENCY_MS,
    initialBalances: config.PAPER_INITIAL_BALANCES,
  }).then((paper) => withLiveRules(paper, live, rules));
}

/** Loads a market's rules from the live venue the first time a paper order needs them. */
function withLiveRules(
  paper: PaperVenue,
  live: CcxtVenue,
  cache: Map<string, Awaited<ReturnType<OrderVenue['marketRules']>>>,
): PaperVenue {
  const original = paper.marketRules.bind(paper);
  paper.marketRules = async (symbol: string) => {
    if (!cache.has(symbol)) cache.set(symbol, await live.marketRules(symbol));
    return original(symbol);
  };
  return paper;
}

async function feedPaperVenue(
  bus: Bus,
  venue: PaperVenue,
  books: Map<string, OrderBook>,
): Promise<Array<() => Promise<void>>> {
  const onBook = (m: Envelope<BookUpdate>) => {
    const u = m.payload;
    const book = books.get(u.symbol) ?? new OrderBook();
    books.set(u.symbol, book);
    if (u.kind === 'snapshot') book.applySnapshot(u.bids, u.asks);
    else book.applyDelta(u.bids, u.asks);
  };
  const onTrade = async (m: Envelope<Trade>) => {
    await venue.onTrade(m.payload.symbol, m.payload.price);
  };
  const a = await bus.subscribe(pattern(Subjects.book, { exchange: venue.id }), onBook, {
    durable: 'orders-paper-book',
  });
  const b = await bus.subscribe(pattern(Subjects.trade, { exchange: venue.id }), onTrade, {
    durable: 'orders-paper-trade',
  });
  return [() => a.stop(), () => b.stop()];
}
