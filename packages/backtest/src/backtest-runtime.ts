import { MemoryBus, MemoryHub } from '@ballast/bus';
import {
  type Candle,
  type Envelope,
  type FeatureVector,
  type OrderEvent,
  pattern,
  type RiskDecision,
  type SignalCandidate,
  type SignalDecision,
  type StopEvent,
  Subjects,
  subject,
  symbolAssets,
  TIMEFRAME_MS,
} from '@ballast/contracts';
import {
  type Decide,
  flattenIntentPrefix,
  type MarketRules,
  SeededRandom,
  VirtualClock,
  type WalkableBook,
} from '@ballast/core';
import {
  CandleRepository,
  createDb,
  type DbHandle,
  migrate,
  OrderSliceRepository,
  PGLITE_IN_MEMORY,
  StrategyHourStatsRepository,
} from '@ballast/db';
import { PaperStopVenue, PaperVenue } from '@ballast/exchange';
import { startFeaturesService } from '@ballast/features-service';
import { startOrders } from '@ballast/orders-service';
import { startRisk } from '@ballast/risk-service';
import { createLogger } from '@ballast/service-kit';
import { type SignalsService, startSignalsService } from '@ballast/signals-service';
import { startStops } from '@ballast/stops-service';
import { Registry } from 'prom-client';
import type { BacktestConfig } from './backtest-config';
import { BacktestError } from './backtest-error';
import type { BacktestDecision, BacktestDust } from './backtest-result';
import { BarPath, type PathPrint, type PathReplay, pathTrade, replayPaths, watchedLevels } from './bar-path';
import { candleBook } from './candle-book';
import { endOfDataStatus } from './end-of-data-status';
import { hourStatsAsFound } from './hour-stats-as-found';
import { keptStops } from './kept-stops';
import { memoryPaperStore } from './memory-paper-store';
import { NO_RECORDED_VERDICT, type RecordedVerdicts } from './recorded-verdicts';
import { ReplayedBars } from './replayed-bars';
import { rulesDecide } from './rules-decide';
import { seededBusIds } from './seeded-bus-ids';
import { settle, type TickTracker, trackTicks } from './settle';
import { TradeLedger } from './trade-ledger';
import { unreviewedDecide } from './unreviewed-decide';
import { keptFirstDecisions, unkeptWaitingVectors, unstoredDecisions } from './unstored-decisions';

export interface RuntimeOptions {
  config: BacktestConfig;
  symbols: string[];
  timeframe: Candle['timeframe'];
  rules: (symbol: string) => MarketRules;
  seed: number;
  startTime: number;
  /** Candles before the run, stored as live's database holds them: the features service warms from them. */
  history?: readonly Candle[];
  /** Sees every stop event with the virtual time it was published at (tests check protection). */
  onStopEvent?: (event: StopEvent, time: number) => void;
  /** Sees every feature vector published. */
  onFeatures?: (vector: FeatureVector) => void;
  /** Sees every decision the signals service publishes. */
  onSignalDecision?: (decision: SignalDecision) => void;
  /** The decisions `agents: 'recorded'` replays. */
  recorded?: RecordedVerdicts;
}

/**
 * The single-process runtime: the services' own `start*` wiring on one MemoryHub, a VirtualClock,
 * the paper venue and PGlite in memory. Nothing here decides a trade; it replays the market, lets
 * the services work, and listens.
 */
export class BacktestRuntime {
  readonly clock: VirtualClock;
  readonly ledger: TradeLedger;
  // Every durable of a run joins before the first candle and none starts from 'all', so the hub keeps
  // no stream history: a year of retained envelopes would only be more heap for the collector to trace.
  private readonly hub = new MemoryHub({ retainPerStream: 0 });
  private readonly market: MemoryBus;
  /** The runtime's own bus: its listeners, and the end-of-data kill. */
  private control!: MemoryBus;
  private readonly books = new Map<string, WalkableBook>();
  private readonly marks = new Map<string, number>();
  /** Each marked symbol's base asset: equity is read at every instant, and the split is not free. */
  private readonly bases = new Map<string, string>();
  private readonly intents = new Map<string, string>();
  private readonly decisionLog = new Map<string, BacktestDecision>();
  private readonly disposers: AsyncDisposable[] = [];
  private signals: SignalsService | undefined;
  private readonly stopStores = keptStops();
  /** What live's candles table would hold by now; the stops' trailing ATR warms from it. */
  private readonly bars: ReplayedBars;
  private bookId = 0;
  private printId = 0;
  private paper!: PaperVenue;
  /** The paper account's resting stops: they lock the coins they cover in `paper`, as on Binance spot. */
  private stopVenue!: PaperStopVenue;
  private db!: DbHandle;
  private ticks!: TickTracker;
  private orders!: Awaited<ReturnType<typeof startOrders>>;
  private slices!: OrderSliceRepository;

  private constructor(private readonly options: RuntimeOptions) {
    this.clock = new VirtualClock(options.startTime);
    this.bars = new ReplayedBars(options.history ?? []);
    this.market = this.bus('market-data', 1);
    this.ledger = new TradeLedger(
      (intentId) => (intentId ? (this.intents.get(intentId) ?? null) : null),
      options.rules,
    );
  }

  static async start(options: RuntimeOptions): Promise<BacktestRuntime> {
    const runtime = new BacktestRuntime(options);
    await runtime.startAll();
    return runtime;
  }

  private bus(source: string, stream: number): MemoryBus {
    return new MemoryBus({
      source,
      clock: this.clock,
      hub: this.hub,
      ids: seededBusIds(this.clock, this.options.seed, stream),
    });
  }

  private async startAll(): Promise<void> {
    const { config, seed } = this.options;
    const log = createLogger({ service: 'backtest', level: 'silent' });
    this.db = await createDb({ pgliteDir: PGLITE_IN_MEMORY });
    await migrate(this.db.db);
    const db = this.db.db;
    await new StrategyHourStatsRepository(db).replaceAll(config.hourStats, new Date(this.clock.now()));
    await new CandleRepository(db).upsertMany(this.options.history ?? []);
    this.slices = new OrderSliceRepository(db, this.clock);
    // The listeners join first, so they see each message before the services react to it.
    this.control = this.bus('backtest', 2);
    await this.listen(this.control);
    const random = new SeededRandom(seed);
    this.paper = await PaperVenue.open({
      venue: config.exchange,
      book: (symbol) => this.books.get(symbol),
      rules: this.options.rules,
      fees: { maker: config.makerFee, taker: config.takerFee, feesIn: config.feesIn },
      store: memoryPaperStore(),
      clock: this.clock,
      ids: seededBusIds(this.clock, seed, 3),
      initialBalances: { [config.quoteAsset]: config.initialEquity },
      // The stop venue below rests its stops in this account, as on Binance spot.
      stops: {
        locks: () => this.stopVenue.locks(),
        openStops: (symbol) => this.stopVenue.openStops(symbol),
        cancelStop: (symbol, id) => this.stopVenue.cancelStop(symbol, id),
      },
    });
    // A spot account's stop-limits, as the live venue rests them (no reduce-only).
    this.stopVenue = new PaperStopVenue({
      venue: config.exchange,
      rules: this.options.rules,
      ids: seededBusIds(this.clock, seed, 11),
      limitOffsetBps: config.stops.limitOffsetBps,
      account: this.paper,
    });
    const series = this.options.symbols.map((symbol) => ({
      exchange: config.exchange,
      symbol,
      timeframe: this.options.timeframe,
    }));
    const features = await startFeaturesService({
      bus: this.bus('features', 4),
      db,
      log,
      metrics: new Registry(),
      clock: this.clock,
      // The live default warm-up, so a run warms from its history exactly as a live restart would.
      config: { FEATURES_SERIES: series, FEATURES_DURABLE: 'features' },
    });
    this.signals = await startSignalsService({
      bus: this.bus('signals', 5),
      db,
      log,
      metrics: new Registry(),
      // Bar ages and cycle deadlines on the run's time: each vector is handled as its bar closes.
      clock: this.clock,
      decide: this.decideStep(),
      config: {
        SIGNALS_UNIVERSE: this.options.symbols,
        SIGNALS_EXCLUDED_SYMBOLS: config.excludedSymbols,
        SIGNALS_MIN_REWARD_RISK: config.minRewardRisk,
        SIGNALS_MIN_HOUR_TRADES: config.minHourTrades,
        SIGNALS_STRATEGIES: config.strategies,
        SIGNALS_DURABLE: 'signals',
        ...(config.confirmTimeframes ? { SIGNALS_CONFIRM_TIMEFRAMES: config.confirmTimeframes } : {}),
        // Risk records no hour statistics in a run (RISK_HOUR_STATS below): there is no record to
        // wait for, and the wait would sleep on wall time.
        SIGNALS_HOUR_STATS_WAIT_MS: 0,
        // No wall-time timer: the run's clock moves only with its bars; `cycleDeadline` runs the check
        // at each close + grace, as the live timer would.
        SIGNALS_CYCLE_CHECK_MS: 0,
      },
      hourStats: await hourStatsAsFound(db),
      firstDecisions: keptFirstDecisions(),
      waitingVectors: unkeptWaitingVectors(),
    });
    const risk = await startRisk({
      bus: this.bus('risk', 6),
      db,
      clock: this.clock,
      log,
      venue: this.paper,
      decisions: unstoredDecisions(),
      config: {
        RISK_VENUE: config.exchange,
        RISK_EQUITY: config.initialEquity,
        RISK_QUOTE_ASSET: config.quoteAsset,
        RISK_LIMITS_JSON: config.riskLimits ? JSON.stringify(config.riskLimits) : undefined,
        // Entries sized for the costs this run's stops and fills pay, as live risk sizes for its own.
        STOP_LIMIT_OFFSET_BPS: config.stops.limitOffsetBps,
        RISK_TAKER_FEE_BPS: config.takerFee * 10_000,
        // The hour veto's table stays as the run found it: a run must not learn from its own trades.
        RISK_HOUR_STATS: false,
        // Lifecycles are the account's, not a run's.
        RISK_LIFECYCLE_REVIEW: false,
        // Its candle books are always in sequence; a read on wall-clock timers would not repeat.
        RISK_REST_MARK_INTERVAL_MS: 0,
        // A run never restarts: the equity a restart would start its day from need not be kept.
        RISK_EQUITY_STORE_INTERVAL_MS: 0,
      },
    });
    this.disposers.push(features, this.signals, risk);
    this.orders = await startOrders({
      bus: this.bus('orders', 7),
      db,
      clock: this.clock,
      ids: seededBusIds(this.clock, seed, 8),
      log,
      venue: this.paper,
      random01: () => random.next(),
      // Retries and TWAP pauses pass in virtual time: the clock only moves with the replayed data.
      sleep: async () => undefined,
      config: {
        ORDERS_VENUE_KIND: 'paper',
        ORDERS_VENUE: config.exchange,
        LIVE_STRATEGIES: [],
        CLIENT_ID_PREFIX: 'bt-',
        MAX_SLIPPAGE_BPS: config.maxSlippageBps,
        SLIPPAGE_ACTION: 'reject',
        TWAP_SLICES: 5,
        TWAP_DURATION_MS: 60_000,
        TWAP_JITTER: 0.2,
        TWAP_SLIPPAGE_WAITS: 3,
        // No send outcome is ever unknown here (the paper venue answers every order).
        UNSENT_ENTRY_MAX_AGE_MS: 300_000,
        // The live timer would run on wall time; the runtime drives the send loop itself (settle).
        TICK_MS: 2_147_483_647,
        // No reconciliation writes the orders table here: the manager knows every slice it planned
        // or left open, so the idle read (for other writers) would find nothing more and never runs.
        LOOP_IDLE_READ_MS: Number.MAX_SAFE_INTEGER,
        ORDERS_BOOK_MAX_AGE_MS: 0,
        // Never waited on: a paper order cannot land late (PaperVenue.landsLate).
        ORDERS_RECV_WINDOW_MS: 10_000,
        ORDERS_CLOCK_SKEW_MS: 1_000,
        RETRY_ATTEMPTS: 1,
        RETRY_BASE_MS: 200,
        PAPER_MAKER_FEE: config.makerFee,
        PAPER_TAKER_FEE: config.takerFee,
        PAPER_FEES_IN: config.feesIn,
        PAPER_LATENCY_MS: 0,
        PAPER_INITIAL_BALANCES: { [config.quoteAsset]: config.initialEquity },
      },
    });
    this.ticks = trackTicks(this.orders.manager);
    this.disposers.push(this.orders);
    this.disposers.push(
      await startStops({
        bus: this.bus('stops', 9),
        db,
        stores: this.stopStores,
        clock: this.clock,
        ids: seededBusIds(this.clock, seed, 10),
        log,
        metrics: new Registry(),
        sleep: async () => undefined,
        venue: this.stopVenue,
        recentBars: this.bars.recent,
        config: {
          STOPS_VENUE_KIND: 'paper',
          STOPS_VENUE: config.exchange,
          STOP_LIMIT_OFFSET_BPS: config.stops.limitOffsetBps,
          // No wall-clock read-backs in a backtest: the paper stops live in this process.
          VERIFY_INTERVAL_MS: 0,
          COVERAGE_SAMPLE_MS: 0,
          FALLBACK_STOP_PCT: config.stops.fallbackStopPct,
          TRAIL_MODE: config.stops.trailMode,
          TRAIL_PCT: config.stops.trailPct,
          TRAIL_ATR_MULTIPLE: config.stops.trailAtrMultiple,
          TRAIL_TIMEFRAME: this.options.timeframe,
          TP_FRACTIONS: config.stops.tpFractions,
          BREAKEVEN_FEE_RATE: config.stops.breakevenFeeRate,
          LOCAL_GRACE_BPS: 10,
          // A bar prints at its path's vertices, a third of a bar apart (bar-path.ts): still one run, so a
          // low passed before a take-profit moved the stop up is not checked against it at the close.
          TRADE_RUN_GAP_MS: TIMEFRAME_MS[this.options.timeframe],
          PLACE_ATTEMPTS: 3,
          RETRY_BASE_MS: 200,
          CLIENT_ID_PREFIX: 'bt-',
          // A close fills at the next bar's open: allow two bars before calling it unconfirmed.
          CLOSE_CONFIRM_MS: 2 * TIMEFRAME_MS[this.options.timeframe],
          // A kill's flatten reported late holds the stops at most 20 times that, as the live default.
          FLATTEN_HOLD_MAX_MS: 40 * TIMEFRAME_MS[this.options.timeframe],
          CLOSE_ATTEMPTS: 3,
        },
      }),
    );
  }

  /** What the runtime records: fills for the trade list, intents for strategy names, the decision trail. */
  /** The decision step `agents` names, where the LLM analyst and reviewer decide live. */
  private decideStep(): Decide {
    const { config, recorded } = this.options;
    if (config.agents === 'rules') return rulesDecide(config.minRewardRisk);
    if (config.agents === 'none') return unreviewedDecide();
    if (!recorded)
      throw new BacktestError('bad_config', "agents 'recorded' needs the recorded decisions to replay");
    return recorded.decide;
  }

  private async listen(bus: MemoryBus): Promise<void> {
    const { onFeatures } = this.options;
    if (onFeatures)
      await bus.subscribe(pattern(Subjects.features), (m: Envelope<FeatureVector>) => onFeatures(m.payload), {
        durable: 'backtest-features',
      });
    await bus.subscribe(
      subject(Subjects.signalCandidate, {}),
      (m: Envelope<SignalCandidate>) => {
        const c = m.payload;
        this.decisionLog.set(c.id, {
          candidate_id: c.id,
          time: this.clock.now(),
          symbol: c.symbol,
          strategy: c.strategy,
          side: c.side,
          entry: c.entry,
          stop: c.stop,
          outcome: c.veto ? `veto:${c.veto.reason}` : 'pending',
        });
      },
      { durable: 'backtest-candidates' },
    );
    await bus.subscribe(
      subject(Subjects.signalDecision, {}),
      (m: Envelope<SignalDecision>) => {
        this.options.onSignalDecision?.(m.payload);
        const logged = this.decisionLog.get(m.payload.candidate.id);
        if (logged && !m.payload.approved)
          logged.outcome =
            m.payload.rejection?.detail === NO_RECORDED_VERDICT ? NO_RECORDED_VERDICT : 'review_rejected';
      },
      { durable: 'backtest-decisions' },
    );
    await bus.subscribe(
      subject(Subjects.riskDecision, {}),
      (m: Envelope<RiskDecision>) => {
        const d = m.payload;
        const logged = this.decisionLog.get(d.approved ? d.intent.candidateId : d.candidateId);
        if (d.approved) this.intents.set(d.intent.intentId, d.intent.strategy);
        if (logged) logged.outcome = d.approved ? 'approved' : `denied:${d.reason}`;
      },
      { durable: 'backtest-risk' },
    );
    await bus.subscribe(
      subject(Subjects.orderEvent, {}),
      (m: Envelope<OrderEvent>) => {
        this.ledger.onOrderEvent(m.payload);
      },
      { durable: 'backtest-orders' },
    );
    const { onStopEvent } = this.options;
    if (onStopEvent)
      await bus.subscribe(
        subject(Subjects.stopEvent, {}),
        (m: Envelope<StopEvent>) => {
          onStopEvent(m.payload, this.clock.now());
        },
        { durable: 'backtest-stops' },
      );
  }

  /**
   * The bars about to close, printed along their paths (bar-path.ts) on the markets where something
   * watches prices (a position's stop or take-profit, a resting order): a stop crossed inside a bar
   * triggers at its price, not at the bar's close. Elsewhere nothing would act on a print: none is made.
   */
  async printBars(candles: readonly Candle[]): Promise<void> {
    const replays: PathReplay[] = [];
    for (const candle of candles) {
      const levels = () => this.levels(candle.symbol);
      const resting = await this.paper.openOrders(candle.symbol);
      if ((await levels()).length > 0 || resting.length > 0)
        replays.push({ path: new BarPath(candle), levels });
    }
    if (replays.length > 0) await replayPaths(replays, (candle, p) => this.print(candle, p));
  }

  /**
   * One closed candle, as market-data would publish it: first the book at `quote` (the price at which
   * orders sent in reaction will fill), then the candle itself; then everything it caused runs out.
   */
  async step(candle: Candle, quote: number, hasNext = true): Promise<void> {
    this.clock.set(candle.closeTime + 1);
    this.bars.add(candle);
    if (!hasNext) await this.endOfData(candle.symbol);
    await this.quote(candle.symbol, quote);
    await this.market.publish(
      subject(Subjects.candle, {
        exchange: this.options.config.exchange,
        symbol: candle.symbol,
        timeframe: candle.timeframe,
      }),
      candle,
      { eventTime: candle.closeTime },
    );
    await this.settle();
  }

  /**
   * A market's data ends with the bar about to be stepped: nothing after it could fill an entry decided
   * at its close (entries fill at the next bar's open, ADR 5). Risk is told the market's feed is down, as
   * market-data tells it live when a market stops trading, so such an entry is denied `stale_data`
   * instead of filling at this close and being flattened at the same price: a round trip that can only
   * lose its costs. Positions held stay protected and are closed at the end of the run as before.
   */
  private async endOfData(symbol: string): Promise<void> {
    const { exchange } = this.options.config;
    await this.market.publish(
      subject(Subjects.feedStatus, { exchange }),
      endOfDataStatus(exchange, symbol, this.clock.now()),
    );
    await this.settle();
  }

  /**
   * Once every bar of an instant was stepped: the clock moves to the close plus the signals grace and the
   * cycles still missing a symbol are ranked then, as live, at this bar's prices rather than the next's.
   */
  async cycleDeadline(closeTime: number): Promise<void> {
    const signals = this.signals;
    if (!signals) return;
    // The bar closed at closeTime + 1 (the open of the next): its deadline is the grace after that.
    this.clock.set(Math.max(this.clock.now(), closeTime + 1 + signals.cycleGraceMs));
    await signals.checkDeadlines();
    await this.settle();
  }

  /** A print inside a bar: the book moves to its price, then the trade prints, as market-data has them. */
  private async print(candle: Candle, p: PathPrint): Promise<void> {
    this.clock.set(Math.max(this.clock.now(), p.time));
    await this.quote(candle.symbol, p.price);
    const { exchange } = this.options.config;
    const trade = pathTrade(exchange, candle, p, ++this.printId);
    await this.market.publish(subject(Subjects.trade, { exchange, symbol: candle.symbol }), trade, {
      eventTime: p.time,
    });
    await this.settle();
  }

  /** The candle book at `price` (orders sent now fill there), published as market-data publishes books. */
  private async quote(symbol: string, price: number): Promise<void> {
    const time = this.clock.now();
    const { exchange, slippageBps } = this.options.config;
    const { tickSize } = this.options.rules(symbol);
    const book = candleBook(exchange, symbol, price, slippageBps, tickSize, time, ++this.bookId);
    this.books.set(symbol, { bids: book.bids, asks: book.asks });
    this.marks.set(symbol, price);
    await this.market.publish(subject(Subjects.book, { exchange, symbol }), book);
    await this.settle();
  }

  private async levels(symbol: string): Promise<number[]> {
    return watchedLevels(await this.stopStores.records.activeShared(this.options.config.exchange), symbol);
  }

  /**
   * Closes whatever is still open at the last quoted price as an operator closes it live: a kill with
   * flatten. The orders service cancels each market's stop right before its close (on spot the stop
   * locks the coins the close sells; the paper account lists its stops as Binance does) and sells what
   * its positions hold, the stops service holding its stops meanwhile. Its closes are the trades'
   * `end_of_data` exits. A position still open after it is an error: the run's figures would leave it out.
   */
  async closeAll(): Promise<void> {
    if (!this.ledger.exposed) return;
    const id = seededBusIds(this.clock, this.options.seed, 12)();
    this.ledger.endOfData(flattenIntentPrefix(this.options.config.exchange, id));
    await this.control.publish(
      subject(Subjects.kill, {}),
      { flatten: true, reason: 'end of data', requestedBy: 'backtest' },
      { id },
    );
    await this.settle();
    const open = this.ledger.openMarkets();
    if (open.length > 0)
      throw new BacktestError(
        'not_flat',
        `the end-of-data close left positions open: ${open.map((o) => `${o.symbol} ${o.side} ${o.qty}`).join(', ')}`,
      );
  }

  /** Account value at the last quoted prices: quote balance plus every base asset marked. */
  async equity(): Promise<number> {
    const balances = await this.paper.balances();
    let total = balances[this.options.config.quoteAsset] ?? 0;
    for (const [symbol, price] of this.marks) total += (balances[this.baseOf(symbol)] ?? 0) * price;
    return total;
  }

  private baseOf(symbol: string): string {
    let base = this.bases.get(symbol);
    if (base === undefined) {
      base = symbolAssets(symbol).base;
      this.bases.set(symbol, base);
    }
    return base;
  }

  /** The dust the trades left held, marked at the last quoted prices. */
  dust(): BacktestDust[] {
    return this.ledger.dust().map((d) => {
      const mark = this.marks.get(d.symbol) ?? d.avgEntry;
      const move = d.side === 'long' ? mark - d.avgEntry : d.avgEntry - mark;
      return {
        symbol: d.symbol,
        qty: d.qty,
        entry_price: d.avgEntry,
        mark_price: mark,
        unrealized_pnl: d.qty * move,
      };
    });
  }

  decisions(): BacktestDecision[] {
    return [...this.decisionLog.values()];
  }

  private settle(): Promise<void> {
    return settle(this.market, this.ticks, this.orders.manager, this.slices, this.clock);
  }

  async stop(): Promise<void> {
    for (const d of this.disposers.reverse()) await d[Symbol.asyncDispose]();
    await this.db.db.destroy();
  }
}
