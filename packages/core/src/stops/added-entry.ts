import type { PositionSide } from '@ballast/contracts';
import { roundToStep } from '../risk/precision';
import type { LadderState } from './take-profit-ladder';
import { ratchetStop } from './trailing-stop';

/** An add's approved prices: risk sized it to lose its risk per trade at `stop`. */
export interface AddedIntent {
  stop: number;
  takeProfits: number[];
}

/** Who holds a position, as far as adds go: the strategy whose fill opened it, its side, its intent. */
export interface PositionHolder {
  strategy: string | null;
  side: PositionSide;
  intentId: string | null;
}

/**
 * Whether an approved entry adds to the open position: the holder's own strategy on the same side, and
 * not the intent that opened it. Risk lets only the holder enter a held market (market_held), and a
 * position no strategy opened takes no adds.
 */
export function isAddTo(
  holder: PositionHolder,
  intent: { strategy: string; positionSide: PositionSide; intentId: string },
): boolean {
  return (
    holder.strategy !== null &&
    holder.strategy === intent.strategy &&
    holder.side === intent.positionSide &&
    holder.intentId !== intent.intentId
  );
}

/** A held position as far as adds go: its holder and its market. */
export interface HeldPosition extends PositionHolder {
  exchange: string;
  symbol: string;
}

/** Whether an approved intent adds to this open position: one of its market (`exchange:symbol`) and isAddTo. */
export function addsTo(
  position: HeldPosition,
  intent: {
    exchange: string;
    symbol: string;
    strategy: string;
    positionSide: PositionSide;
    intentId: string;
  },
): boolean {
  return (
    `${intent.exchange}:${intent.symbol}` === `${position.exchange}:${position.symbol}` &&
    isAddTo(position, intent)
  );
}

/** The position's stop and ladder once an add has filled. */
export interface AddedEntryOutcome {
  stopPrice: number;
  ladder: LadderState;
}

/**
 * What an add to an open position does to its protection. The venue nets one position per market, so
 * one stop covers every lot; it moves to the add's stop when that is tighter. Each lot then loses at
 * most what risk sized it for (a tighter stop loses less on every lot), where keeping the position's
 * old stop would leave the add exposed down to a stop it was never sized for. The stop never loosens.
 * A ladder with levels still to take is kept; one fully taken gives way to the add's take-profits,
 * so what is added is not left without a target.
 */
export function addedEntry(input: {
  side: PositionSide;
  currentStop: number;
  ladder: LadderState;
  intent: AddedIntent;
  tickSize: number;
}): AddedEntryOutcome {
  const addStop = roundToStep(input.intent.stop, input.tickSize);
  const stopPrice = ratchetStop(input.side, input.currentStop, addStop);
  const exhausted = input.ladder.taken >= input.ladder.levels.length;
  const ladder = exhausted ? { levels: [...input.intent.takeProfits], taken: 0 } : input.ladder;
  return { stopPrice, ladder };
}
