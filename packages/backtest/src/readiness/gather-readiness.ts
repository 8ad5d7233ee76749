import type { Clock } from '@ballast/contracts';
import {
  DEFAULT_UPTIME_SAMPLE_MS,
  enteredSince,
  entryOf,
  PaperStart,
  paperPerformance,
  type ReadinessInputs,
  readinessKeys,
  requiredProcesses,
  StoredBacktest,
  serviceUptime,
} from '@ballast/core';
import {
  BotStateRepository,
  type ClosedTradeRecord,
  ClosedTradeRepository,
  type Database,
  ServiceUptimeRepository,
  StopCoverageRepository,
} from '@ballast/db';
import type { Kysely } from 'kysely';
import { openPositions, type PaperOpenPosition } from './open-positions';
import { type PaperEquity, paperEquity } from './paper-equity';

export interface GatherOptions {
  db: Kysely<Database>;
  clock: Clock;
  strategy: string;
  /**
   * The paper account's starting equity, for returns and drawdown; omitted: the account's own, from
   * risk's stored equity (paperEquity), else Sharpe and drawdown are unmeasured.
   */
  initialEquity?: number;
  /** A backtest over the paper period; omitted: the last one stored for the strategy. Either counts only if it covers the period. */
  backtest?: StoredBacktest;
  /** The services' UPTIME_SAMPLE_MS: one sample per service is expected per interval. */
  uptimeSampleMs?: number;
}

export interface GatheredReadiness {
  inputs: ReadinessInputs;
  /** Start of the paper period (recorded, else the first entry), or null with neither a recorded start nor a trade. */
  paperStart: number | null;
  trades: ClosedTradeRecord[];
  /** The equity returns and drawdown were measured on; null when none was given or stored. */
  equity: PaperEquity | null;
  /** The period's positions still open, marked at their last candle close (their result is in the drawdown). */
  open: PaperOpenPosition[];
  /** Why the backtest given or stored was not counted; null when it was, or when there was none to count. */
  droppedBacktest: DroppedBacktest | null;
}

/**
 * A backtest not counted: `other_period` when it does not span the paper period (coversPeriod),
 * `other_markets` when it did not replay every market the period traded (coversMarkets).
 */
export type DroppedBacktest =
  | { reason: 'other_period'; from: number; to: number; paperStart: number; now: number }
  | { reason: 'other_markets'; replayed: string[]; markets: string[] };

/** Why `candidate` does not count for the period from `start`, or null when it does. */
function droppedBacktest(
  candidate: StoredBacktest,
  start: number,
  now: number,
  markets: readonly string[],
): DroppedBacktest | null {
  if (!coversPeriod(candidate, start, now))
    return { reason: 'other_period', from: candidate.from, to: candidate.to, paperStart: start, now };
  if (!coversMarkets(candidate, markets))
    return { reason: 'other_markets', replayed: candidate.symbols ?? [], markets: [...markets] };
  return null;
}

/** The strategy's closed trades, in close order. */
export async function strategyTrades(db: Kysely<Database>, strategy: string): Promise<ClosedTradeRecord[]> {
  return (await new ClosedTradeRepository(db).all()).filter((t) => t.strategy === strategy);
}

async function paperStartOf(
  state: BotStateRepository,
  strategy: string,
  trades: readonly ClosedTradeRecord[],
): Promise<number | null> {
  const recorded = await state.get(readinessKeys.paperStart(strategy), PaperStart);
  if (recorded) return recorded.value.at;
  // Unrecorded: the first entry (a trade counts in the period it was entered in, so not its close).
  return trades.reduce<number | null>((first, t) => {
    const entry = entryOf(t);
    return first === null || entry < first ? entry : first;
  }, null);
}

/** Slack for a backtest's bounds: candles start on the hour or day, and the last one may not have closed yet. */
const PERIOD_SLACK_MS = 86_400_000;

/**
 * A backtest counts only when it spans the paper period and no more (and replayed its markets, coversMarkets): a year-old run says nothing about
 * this one, and one starting years earlier is judged mostly on other markets than the paper period's.
 */
export function coversPeriod(backtest: StoredBacktest, start: number, now: number): boolean {
  const startsAtStart = Math.abs(backtest.from - start) <= PERIOD_SLACK_MS;
  return startsAtStart && backtest.to >= now - PERIOD_SLACK_MS;
}

/**
 * The markets a strategy traded in the paper period (trades entered since `start`), in order: a
 * backtest judged for it must have replayed each of them.
 */
export function periodMarkets(trades: readonly ClosedTradeRecord[], start: number): string[] {
  return periodValues(trades, start, 'symbol');
}

/** The venues a strategy traded on in the paper period (trades entered since `start`), in order. */
export function tradedVenues(trades: readonly ClosedTradeRecord[], start: number): string[] {
  return periodValues(trades, start, 'exchange');
}

function periodValues(
  trades: readonly ClosedTradeRecord[],
  start: number,
  key: 'symbol' | 'exchange',
): string[] {
  return [...new Set(trades.filter((t) => enteredSince(t, start)).map((t) => t[key]))].sort();
}

/** Whether a backtest replayed every one of `markets`; a record without its markets is not checked. */
export function coversMarkets(backtest: StoredBacktest, markets: readonly string[]): boolean {
  const replayed = backtest.symbols;
  return replayed === undefined || markets.every((m) => replayed.includes(m));
}

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : (part / whole) * 100);

type Figures<K extends keyof ReadinessInputs> = Pick<ReadinessInputs, K>;

/**
 * Closed-trade figures, the drawdown also with the open positions marked (openPositions); Sharpe and
 * drawdown only on a known equity (none: unmeasured, and why). An open position without a mark leaves
 * the drawdown unmeasured: its loss may be any size, and an unmeasured figure is never green.
 */
function performanceFigures(
  trades: readonly ClosedTradeRecord[],
  equity: PaperEquity | null,
  open: readonly PaperOpenPosition[],
  start: number | null,
  now: number,
): Figures<'paperDays' | 'closedTrades' | 'sharpe' | 'maxDrawdownPct' | 'equityNote' | 'expectancy'> {
  if (start === null)
    return { paperDays: null, closedTrades: 0, sharpe: null, maxDrawdownPct: null, expectancy: null };
  const unmarked = open.filter((p) => p.pnl === null);
  const openPnl = open.reduce((sum, p) => sum + (p.pnl ?? 0), 0);
  const perf = paperPerformance(trades, equity?.value ?? Number.NaN, start, now, openPnl);
  const openNote =
    unmarked.length > 0
      ? `; open ${unmarked.map((p) => `${p.exchange} ${p.symbol}`).join(', ')} has no stored candle to mark it: drawdown unmeasured`
      : open.length > 0
        ? `; ${open.length} open position(s) marked at the last candle close, ${openPnl.toFixed(2)} unrealised`
        : '';
  return {
    paperDays: perf.paperDays,
    closedTrades: perf.closedTrades,
    sharpe: equity ? perf.sharpe : null,
    maxDrawdownPct: equity && unmarked.length === 0 ? perf.maxDrawdownPct : null,
    equityNote: equity
      ? `on equity ${equity.value.toFixed(2)} (${equity.source})${openNote}`
      : 'no account equity stored by risk; give one',
    expectancy: perf.expectancy,
  };
}

/**
 * The weakest trading process over the period: each venue's risk, orders and stops on their own for the
 * venues the strategy traded on in it (one venue's orders up hides nothing of another's down).
 */
async function uptimeFigures(
  db: Kysely<Database>,
  from: number,
  now: number,
  sampleMs: number,
  venues: readonly string[],
): Promise<Figures<'uptimePct' | 'uptimeNote'>> {
  const required = requiredProcesses(venues);
  const healthy = await new ServiceUptimeRepository(db).healthyByProcess(from, now, sampleMs, required);
  const uptime = serviceUptime(healthy, from, now, sampleMs, required);
  const weakest = uptime.services.find((s) => s.service === uptime.weakest);
  if (!weakest) return { uptimePct: uptime.pct };
  const uptimeNote = `lowest: ${weakest.service}, ${weakest.healthy} of ${weakest.expected} samples healthy`;
  return { uptimePct: uptime.pct, uptimeNote };
}

/** Judged on the samples that saw a position only: one with none proves no stop was placed. */
async function coverageFigures(
  db: Kysely<Database>,
  from: number,
  now: number,
): Promise<Figures<'stopCoveragePct' | 'stopCoverageNote'>> {
  const coverage = await new StopCoverageRepository(db).summary(from, now);
  return {
    stopCoveragePct: percent(coverage.protectedPositions, coverage.openPositions),
    stopCoverageNote:
      coverage.withPositions === 0
        ? `no open position sampled (${coverage.samples} samples)`
        : `${coverage.withPositions} of ${coverage.samples} samples had open positions`,
  };
}

/**
 * The gate's figures for one strategy from the database: closed trades, the paper start, uptime and
 * stop-coverage samples over the paper period, and a backtest over the same period.
 */
export async function gatherReadiness(options: GatherOptions): Promise<GatheredReadiness> {
  const { db, clock, strategy } = options;
  const now = clock.now();
  const state = new BotStateRepository(db, clock);
  const trades = await strategyTrades(db, strategy);
  const start = await paperStartOf(state, strategy, trades);
  const stored = await state.get(readinessKeys.backtest(strategy), StoredBacktest);
  const candidate = options.backtest ?? stored?.value;
  const dropped =
    candidate && start !== null ? droppedBacktest(candidate, start, now, periodMarkets(trades, start)) : null;
  const backtest = candidate && start !== null && !dropped ? candidate : undefined;
  const from = start ?? now;
  const equity = start === null ? null : await paperEquity(db, clock, options.initialEquity, trades, start);
  const open = start === null ? [] : await openPositions(db, clock, strategy, start);
  const inputs: ReadinessInputs = {
    ...performanceFigures(trades, equity, open, start, now),
    ...(await coverageFigures(db, from, now)),
    ...(await uptimeFigures(
      db,
      from,
      now,
      options.uptimeSampleMs ?? DEFAULT_UPTIME_SAMPLE_MS,
      start === null ? [] : tradedVenues(trades, start),
    )),
    backtest: backtest
      ? { trades: backtest.trades, expectancy: backtest.expectancy, maxDrawdownPct: backtest.maxDrawdownPct }
      : null,
  };
  return { inputs, paperStart: start, trades, equity, open, droppedBacktest: dropped };
}
