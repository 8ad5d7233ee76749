import { DEFAULT_BOOK_MAX_AGE_MS } from '@ballast/core';
import { baseHoldingsVariables, commaList, jsonVariable, timerMs, timerMsOrZero } from '@ballast/service-kit';
import { z } from 'zod';

/** The order manager's own variables; keys are secrets (EXCHANGE_API_KEY / _SECRET, or their _FILE). */
export const ordersConfigSchema = z.object({
  ORDERS_VENUE_KIND: z.enum(['ccxt', 'paper']).default('paper'),
  /** Contracts venue id the service trades on, e.g. `binance`. */
  ORDERS_VENUE: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  /** Strategies allowed to trade on a live (ccxt) venue; each must be `live` per `ballast readiness`. */
  LIVE_STRATEGIES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    ),
  /**
   * How often the lifecycles of LIVE_STRATEGIES are re-read: a demotion by `ballast readiness` stops
   * that strategy's entries within this time, without a restart. Default 5000; optional for configs
   * built in code (the backtest's paper venue has no live strategies to re-read).
   */
  LIVE_STRATEGIES_REFRESH_MS: timerMs(),
  EXCHANGE_BASE_URL: z.url().optional(),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_API_SECRET: z.string().min(1).optional(),
  CLIENT_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,12}$/)
    .default('bl-'),
  MAX_SLIPPAGE_BPS: z.coerce.number().nonnegative().default(50),
  SLIPPAGE_ACTION: z.enum(['reject', 'twap']).default('reject'),
  TWAP_SLICES: z.coerce.number().int().min(2).max(1000).default(5),
  TWAP_DURATION_MS: z.coerce.number().int().positive().default(60_000),
  TWAP_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
  /**
   * How many times in a row an entry slice that fails the slippage guard at its send time waits for the
   * next slice's due time before it, and the rest of its TWAP, is cancelled with reason `slippage`.
   * Default 3 (45 s of the default 60 s, 5-slice plan).
   */
  TWAP_SLIPPAGE_WAITS: z.coerce.number().int().min(0).default(3),
  TICK_MS: timerMs(100),
  /**
   * An entry whose send outcome was unknown and which the venue then answered it never saw is sent late
   * only within this many ms of its due time; older, it is given up (`venue_unavailable`): risk has let
   * its reservation lapse (RISK_PENDING_TTL_MS, default 300000) and the market has moved. Exits are
   * always sent. Default 300000.
   */
  UNSENT_ENTRY_MAX_AGE_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * The loop reads the orders table at least this often even when nothing is due or open, and looks up
   * orders whose send outcome is unknown (left `sending`) at least this often.
   */
  LOOP_IDLE_READ_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * Orders resting on the venue are looked up at most this often (each a signed request: GET
   * /api/v3/order is request weight 4 on Binance, 9 with its trades, of 6,000 a minute per IP), not on
   * every loop pass. Default 1000; optional for configs built in code.
   */
  ORDERS_OPEN_POLL_MS: z.coerce.number().int().min(0).optional(),
  /**
   * A streamed book (md.book) untouched for longer is not used for the slippage check (a REST book
   * is fetched instead); 0 never uses the stream.
   */
  ORDERS_BOOK_MAX_AGE_MS: z.coerce.number().int().min(0).default(DEFAULT_BOOK_MAX_AGE_MS),
  /**
   * The recvWindow (ms) orders are signed with on a ccxt venue: Binance executes a request that reaches
   * it while its clock reads at most the request's timestamp plus this. A send that got no answer is
   * re-sent (or given up) only once that time, plus ORDERS_CLOCK_SKEW_MS, is over since its failure
   * (or since the start, for one left `sending` by an earlier run): until then a look-up's "no such
   * order" may precede the order landing. Default 10000, what ccxt signs Binance requests with.
   */
  ORDERS_RECV_WINDOW_MS: z.coerce.number().int().positive().max(60_000).default(10_000),
  /**
   * How far the venue's clock may run behind ours, added to ORDERS_RECV_WINDOW_MS: the venue then
   * still accepts a request that long after our clock passed its timestamp plus the window. Default 1000.
   */
  ORDERS_CLOCK_SKEW_MS: z.coerce.number().int().min(0).default(1_000),
  RETRY_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  RETRY_BASE_MS: z.coerce.number().int().positive().default(200),
  PAPER_MAKER_FEE: z.coerce.number().min(0).default(0.001),
  PAPER_TAKER_FEE: z.coerce.number().min(0).default(0.001),
  /**
   * `received`: a buy's fee is taken from the base it receives (qty − fee is credited), as Binance spot
   * charges without BNB; `quote`: every fee in the quote asset.
   */
  PAPER_FEES_IN: z.enum(['quote', 'received']).default('received'),
  PAPER_LATENCY_MS: timerMsOrZero(0),
  PAPER_INITIAL_BALANCES: jsonVariable(z.record(z.string(), z.number().nonnegative())).default({
    USDT: 10_000,
  }),
  /**
   * Spot holdings that are not positions, the variable reconciliation reads: flatten never sells them
   * and judges flat on the rest. Optional for configs built in code (the backtest's), which hold none.
   */
  RECON_BASE_HOLDINGS: baseHoldingsVariables.RECON_BASE_HOLDINGS.optional(),
  /**
   * The markets reconciliation follows (its variable, e.g. `BTC-USDT`): a kill's flatten also reports
   * NOT flat when the venue holds, beyond RECON_BASE_HOLDINGS, more than dust of the base asset of one
   * our books have no position in (an order that landed late, a fill reconciliation has not booked yet).
   * Optional: none checked.
   */
  RECON_SYMBOLS: z.string().transform(commaList).optional(),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;
