import type { Clock, Timeframe } from '@ballast/contracts';
import { type WarmUpWindow, warmUpWindow } from '@ballast/core';
import { CandleRepository, type DbHandle, type SeriesKey } from '@ballast/db';
import { RestError, type RestErrorReason } from '@ballast/exchange';
import {
  ConfigError,
  type Env,
  featuresWarmUpVariables,
  loadConfig,
  marketDataFeedVariables,
} from '@ballast/service-kit';
import { z } from 'zod';
import {
  type BackfillProgress,
  type BackfillSummary,
  backfillCandles,
  type CandleSource,
} from './backfill-candles';

/** What `ballast backfill --warm-up` fills: every symbol in every timeframe, on one venue. */
export interface WarmUpPlan {
  exchange: string;
  /** Normalised, e.g. `BTC-USDT`. */
  symbols: readonly string[];
  timeframes: readonly Timeframe[];
  /** The deployment's FEATURES_WARMUP_CANDLES, when it overrides the features' own budget. */
  wanted?: number;
}

/** The deployment's variables the warm-up reads: market-data's feed (what is recorded) and features' budget. */
const warmUpConfigSchema = z.object({ ...marketDataFeedVariables, ...featuresWarmUpVariables });

/** Flags, each standing in for the market-data variable it names when given. */
export interface WarmUpFlags {
  exchange?: string;
  symbols?: string;
  timeframe?: string;
  restUrl?: string;
}

/**
 * The plan from the deployment's environment, read by market-data's own parsers (VENUE, SYMBOLS,
 * TIMEFRAME, REST_URL) and features' budget (FEATURES_WARMUP_CANDLES); a flag given replaces its variable
 * and goes through the same parser. Throws naming every problem, and the flags that would stand in.
 */
export function parseWarmUpPlan(
  flags: WarmUpFlags,
  env: Env = process.env,
): { plan: WarmUpPlan; restUrl?: string } {
  const overrides = {
    VENUE: flags.exchange,
    SYMBOLS: flags.symbols,
    TIMEFRAME: flags.timeframe,
    REST_URL: flags.restUrl,
  };
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  let config: z.output<typeof warmUpConfigSchema>;
  try {
    config = loadConfig(warmUpConfigSchema, { ...env, ...given });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new Error(
      `--warm-up reads market-data's variables, or --exchange, --symbols, --timeframe: ${err.message}`,
    );
  }
  const plan: WarmUpPlan = {
    exchange: config.VENUE,
    symbols: config.SYMBOLS,
    timeframes: [config.TIMEFRAME],
    ...(config.FEATURES_WARMUP_CANDLES === undefined ? {} : { wanted: config.FEATURES_WARMUP_CANDLES }),
  };
  return config.REST_URL === undefined ? { plan } : { plan, restUrl: config.REST_URL };
}

export interface WarmUpFailure {
  reason: RestErrorReason;
  message: string;
}

/** One series after the warm-up: its window, what was fetched, and what the database now holds of it. */
export interface WarmUpOutcome {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  window: WarmUpWindow;
  /** Null when the venue failed (or, down already, was not asked). */
  summary: BackfillSummary | null;
  /** Candles stored in the window after the run. */
  held: number;
  /** Of them, new: not stored before the run. */
  added: number;
  failure: WarmUpFailure | null;
}

/** Failures of the venue as a whole: the series after one are not tried, each would wait out the same retries. */
const VENUE_DOWN: ReadonlySet<RestErrorReason> = new Set(['network', 'rate_limited', 'banned']);

/**
 * Backfills, per series, the history the features service replays at start (core's warmUpWindow) up to
 * the newest closed bar by the clock. A venue failure is an outcome, not an error: the caller reports the
 * short history and the stack starts anyway (docs/adr/0016). Anything else (the database) throws.
 */
export async function warmUpHistory(plan: WarmUpPlan, deps: WarmUpDeps): Promise<WarmUpOutcome[]> {
  const out: WarmUpOutcome[] = [];
  let venueDown: WarmUpFailure | null = null;
  for (const timeframe of plan.timeframes) {
    const window = warmUpWindow(timeframe, deps.clock.now(), plan.wanted);
    for (const symbol of plan.symbols) {
      const outcome = await warmUpSeries(
        { exchange: plan.exchange, symbol, timeframe },
        window,
        venueDown,
        deps,
      );
      if (outcome.failure && VENUE_DOWN.has(outcome.failure.reason))
        venueDown ??= {
          reason: outcome.failure.reason,
          message: `not asked, the venue failed first: ${outcome.failure.message}`,
        };
      out.push(outcome);
    }
  }
  return out;
}

interface WarmUpDeps {
  db: DbHandle['db'];
  source: CandleSource;
  clock: Clock;
  onProgress?: (p: BackfillProgress) => void;
}

/** One series: counts what its window holds, backfills it unless the venue is known down, counts again. */
async function warmUpSeries(
  series: SeriesKey,
  window: WarmUpWindow,
  venueDown: WarmUpFailure | null,
  deps: WarmUpDeps,
): Promise<WarmUpOutcome> {
  const repo = new CandleRepository(deps.db);
  const range = { ...series, fromOpenTime: window.since, toOpenTime: window.until + 1 };
  const before = await repo.countRange(range);
  let summary: BackfillSummary | null = null;
  let failure = venueDown;
  if (failure === null) {
    try {
      const { since, until } = window;
      const request = { exchange: series.exchange, symbols: [series.symbol], timeframe: series.timeframe };
      [summary = null] = await backfillCandles({ ...request, since, until }, deps);
    } catch (err) {
      if (!(err instanceof RestError)) throw err;
      failure = { reason: err.reason, message: err.message };
    }
  }
  const held = await repo.countRange(range);
  return { ...series, window, summary, held, added: held - before, failure };
}

/**
 * One line per series. A series holding less than the features' budget gets a warning with a fixed
 * token (`short_history`) to search the logs for: the one-shot exits, so no counter would be scraped.
 */
export function warmUpReport(o: WarmUpOutcome): { short: boolean; line: string } {
  const series = `${o.exchange} ${o.symbol} ${o.timeframe}`;
  const holds = `holds ${o.held} of the ${o.window.wanted} bars features replays (${o.added} new)`;
  const fetched = o.summary
    ? `fetched ${o.summary.fetched}, rejected ${o.summary.rejected}, ${o.summary.skipped} already stored not fetched`
    : null;
  if (o.held >= o.window.wanted)
    return { short: false, line: `${series}: ${holds} since ${iso(o.window.since)}; ${fetched}` };
  const why = o.failure
    ? `the venue failed (${o.failure.reason}): ${o.failure.message}`
    : `the venue has no more candles in the window (listed later, or its outages); ${fetched}`;
  return {
    short: true,
    line:
      `warning: short_history ${series}: ${holds} since ${iso(o.window.since)}; ${why}. ` +
      'Features starts short (short_warm_up) and its vectors differ from a backtest until the live candles ' +
      'make up the budget: run `ballast backfill --warm-up` again once the venue answers.',
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
