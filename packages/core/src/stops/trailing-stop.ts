import type { PositionSide } from '@ballast/contracts';
import { roundDownToStep, roundUpToStep } from '../risk/precision';

/** How far behind the best price the stop trails. */
export type TrailConfig =
  | { mode: 'off' }
  | { mode: 'percent'; pct: number }
  | { mode: 'atr'; multiple: number };

/** Where a stop would trail to from `price`; null when trailing is off or the ATR is unknown. */
export function trailCandidate(
  side: PositionSide,
  price: number,
  config: TrailConfig,
  atr: number | null,
  tickSize: number,
): number | null {
  const distance =
    config.mode === 'percent'
      ? price * config.pct
      : config.mode === 'atr' && atr !== null && atr > 0
        ? atr * config.multiple
        : null;
  if (distance === null) return null;
  // Round away from the price so the trailed stop never sits closer than configured.
  return side === 'long'
    ? roundDownToStep(price - distance, tickSize)
    : roundUpToStep(price + distance, tickSize);
}

/** The ratchet: the stop moves only in the position's favour, never loosens. */
export function ratchetStop(side: PositionSide, current: number, candidate: number | null): number {
  if (candidate === null || !(candidate > 0)) return current;
  return side === 'long' ? Math.max(current, candidate) : Math.min(current, candidate);
}

/** The next stop after `price` printed: trail, then ratchet. */
export function trailStop(
  side: PositionSide,
  current: number,
  price: number,
  config: TrailConfig,
  atr: number | null,
  tickSize: number,
): number {
  return ratchetStop(side, current, trailCandidate(side, price, config, atr, tickSize));
}
