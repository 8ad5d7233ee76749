import type { PositionSide } from '@ballast/contracts';
import { roundDownToStep, roundUpToStep } from './precision';

/**
 * What a trade closed by its stop pays beyond the stop distance: the venue's taker fee on the entry and
 * on the exit, and the stop-limit's offset (the stops service's STOP_LIMIT_OFFSET_BPS): a spot stop is a
 * STOP_LOSS_LIMIT whose limit lies that far beyond the stop, so the exit may fill anywhere down to it.
 */
export type ExitCosts = {
  /** The taker fee on each of the entry's and the stop's fills, in basis points of their notional. */
  takerFeeBps: number;
  /** Where the stop-limit's limit lies beyond the stop, in basis points of the stop (STOP_LIMIT_OFFSET_BPS). */
  stopLimitOffsetBps: number;
};

/** The live defaults: Binance spot's 0.1 % taker fee and the stops service's default offset (50). */
export const DEFAULT_EXIT_COSTS: ExitCosts = { takerFeeBps: 10, stopLimitOffsetBps: 50 };

/**
 * The stop-limit's worst fill for a stop at `stop`: its limit, on the tick and rounded away from the
 * market, as the venues place it (exchange's stopLimitPrice calls this). A long's stop sells, a short's buys.
 */
export function stopLimitWorstFill(
  side: PositionSide,
  stop: number,
  offsetBps: number,
  tickSize: number,
): number {
  const factor = offsetBps / 10_000;
  return side === 'long'
    ? Math.max(0, roundDownToStep(stop * (1 - factor), tickSize))
    : roundUpToStep(stop * (1 + factor), tickSize);
}

/**
 * What one unit entered at `entry` loses when its stop, `stopDistance` away, closes it at the
 * stop-limit's worst fill, both fills paying the taker fee: the entry at its price, the exit at that fill.
 * Sizing divides the risk budget by this, not by the stop distance alone, so a stopped trade loses at
 * most its budget after costs.
 */
export function lossPerUnitAtStop(
  side: PositionSide,
  entry: number,
  stopDistance: number,
  costs: ExitCosts,
  tickSize: number,
): number {
  const stop = side === 'long' ? entry - stopDistance : entry + stopDistance;
  const exit = stopLimitWorstFill(side, stop, costs.stopLimitOffsetBps, tickSize);
  const fee = costs.takerFeeBps / 10_000;
  return Math.abs(entry - exit) + fee * (entry + exit);
}
