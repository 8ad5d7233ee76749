import type { ControlState, PositionSide } from '@ballast/contracts';
import { z } from 'zod';
import { utcDayStart } from '../time';
import type { DecidedIntent } from './decided-intents';
import { type LossStreakState, NO_LOSS_STREAK } from './loss-streak';

/** An open position as risk sees it: enough to know its notional and what its stop would cost. */
export type OpenPosition = {
  positionId: string;
  exchange: string;
  symbol: string;
  side: PositionSide;
  qty: number;
  entry: number;
  /** The protective stop's price; 0 while it is not known. */
  stop: number;
  /**
   * Whose it is: the strategy whose fill opened it (as the orders service credits its trade), or whose
   * entry was approved; null when no strategy took it (a fill reconciliation recorded).
   */
  strategy: string | null;
};

/**
 * An entry risk approved whose order has not filled yet. Until its fills show as a position, or its
 * order is refused or cancelled, or it lapses, it holds the notional, risk and slot it was approved
 * for: otherwise entries approved in the seconds before a fill were each sized as if nothing were held.
 * `qty` is what is still to fill; `entry` is 0 while unknown (a market order read from its record,
 * priced by the next book); `stop` is 0 when unknown (see pendingRisk).
 */
export type PendingEntry = Omit<OpenPosition, 'positionId'> & {
  intentId: string;
  /** When it stops counting (a lost order must not hold the market forever). */
  expiresAt: number;
  /** Client order ids whose refusal or cancellation was already taken off: a replayed event changes nothing. */
  settled: readonly string[];
};

/** A halt latched when a limit was reached: the numbers at that moment and when. */
export const HaltRecord = z.object({ limit: z.number(), value: z.number(), at: z.number() });
export type HaltRecord = z.infer<typeof HaltRecord>;

/**
 * Everything the risk rules read, as one plain value. A service folds events into it with the
 * reducers in `risk-reducers.ts`; the rules never mutate it.
 */
export type RiskState = {
  equity: number;
  peakEquity: number;
  /** Start of the UTC day that `dayStartEquity` and `dailyLossHalt` belong to. */
  day: number;
  dayStartEquity: number;
  /** Set when the daily loss limit is reached; it lapses when the UTC day rolls over. */
  dailyLossHalt: HaltRecord | null;
  /** Set when drawdown from peak reaches its limit; only `resumeFromDrawdown` clears it (a restart keeps it). */
  drawdownHalt: HaltRecord | null;
  positions: readonly OpenPosition[];
  /** Approved entries not filled yet, oldest first. */
  pending: readonly PendingEntry[];
  /** Intents decided lately, oldest first: a redelivered one gets its verdict again, nothing more. */
  decided: readonly DecidedIntent[];
  kill: ControlState;
  /** `marketKey`s whose market data is stale. */
  staleMarkets: readonly string[];
  unreconciledVenues: readonly string[];
  /** Why a venue is closed to entries, when more is known than that reconciliation did not report it reconciled. */
  unreconciledWhy: Readonly<Record<string, string>>;
  lossStreak: LossStreakState;
};

export function marketKey(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}

/** A market on a venue: where positions are held and approved entries await their fills. */
export type Market = { exchange: string; symbol: string };

/** One side of a market: a netting venue holds what is there as one position. */
export type MarketSide = Market & { side: PositionSide };

/** Whether `p` (a position, an approved entry) is in `market`, on either side. */
export const inMarket =
  (market: Market) =>
  (p: Market): boolean =>
    p.exchange === market.exchange && p.symbol === market.symbol;

/** Whether `p` (a position, an approved entry) is in `where`'s market and on its side. */
export function inMarketSide(where: MarketSide): (p: MarketSide) => boolean {
  const market = inMarket(where);
  return (p) => market(p) && p.side === where.side;
}

/** The key of a market and side: what the open-positions limit counts distinct ones of. */
export function marketSideKey(p: MarketSide): string {
  return `${marketKey(p.exchange, p.symbol)}:${p.side}`;
}

export function initialRiskState(equity: number, now: number): RiskState {
  return {
    equity,
    peakEquity: equity,
    day: utcDayStart(now),
    dayStartEquity: equity,
    dailyLossHalt: null,
    drawdownHalt: null,
    positions: [],
    pending: [],
    decided: [],
    kill: { engaged: false, reason: null, since: null },
    staleMarkets: [],
    unreconciledVenues: [],
    unreconciledWhy: {},
    lossStreak: NO_LOSS_STREAK,
  };
}

/** Notional at entry price: exposure limits measure what was committed, not the mark. */
export function positionNotional(position: Pick<OpenPosition, 'qty' | 'entry'>): number {
  return position.qty * position.entry;
}

/**
 * Money lost if the stop fills; zero once the stop has moved past entry into profit. A position whose
 * stop is not known (0) risks its whole notional, short or long: nothing is known to cap its loss.
 */
export function positionRisk(position: Pick<OpenPosition, 'side' | 'qty' | 'entry' | 'stop'>): number {
  if (position.stop <= 0) return positionNotional(position);
  const distance = position.side === 'long' ? position.entry - position.stop : position.stop - position.entry;
  return position.qty * Math.max(0, distance);
}

export function totalExposure(state: Pick<RiskState, 'positions'>): number {
  return state.positions.reduce((sum, p) => sum + positionNotional(p), 0);
}

export function totalOpenRisk(state: Pick<RiskState, 'positions'>): number {
  return state.positions.reduce((sum, p) => sum + positionRisk(p), 0);
}

/** Distinct (market, side) holdings: what the open-positions limit counts. */
export function openPositionCount(state: Pick<RiskState, 'positions'>): number {
  return new Set(state.positions.map(marketSideKey)).size;
}
