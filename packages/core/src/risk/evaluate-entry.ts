import type { MarketRegime, PositionSide } from '@ballast/contracts';
import { smallestOrderQty } from '../execution/smallest-order';
import { addStopDistance } from './add-stop-distance';
import { committed, marketNotional, pendingNote } from './commitments';
import { type EntryBook, isNoBook } from './entry-book';
import { checkEntryGates, firstDenial } from './entry-gates';
import { checkEntryNearBook, checkSignalAge } from './entry-market';
import { depthWithinBand } from './liquidity';
import { type ExitCosts, lossPerUnitAtStop } from './loss-at-stop';
import { checkMarketHeld } from './market-holder';
import type { MarketRules } from './market-rules';
import { expirePending } from './pending-entries';
import { checkExposure, checkOpenPositions, checkOpenRisk, type SizedEntry } from './portfolio-limits';
import { roundDownToStep, roundToStep, roundUpToStep } from './precision';
import { regimeScale } from './regime-scale';
import { checkRewardRisk } from './reward-risk';
import type { RiskLimits } from './risk-limits';
import { marketKey, type RiskState } from './risk-state';
import { sizeOrder } from './size-order';
import { type Denial, deny, denyGate } from './verdict';

/** A proposed new entry with the market context the rules need. */
export type EntryCandidate = {
  /** The strategy proposing it: a market another strategy holds is not entered (market_held). */
  strategy: string;
  exchange: string;
  symbol: string;
  side: PositionSide;
  entry: number;
  stop: number;
  takeProfits: readonly number[];
  regime: MarketRegime;
  /** The volatility regime's positionScale, in [0, 1]. */
  volatilityScale: number;
  /** A reviewer's shrink factor in [0, 1]; 1 when nobody reviewed. */
  sizeMultiplier: number;
  /** When the signal was decided (epoch ms): one older than maxSignalAgeMs is denied `stale_signal`. */
  signalTime: number;
  /**
   * The market's visible depth, or why there is none to trust (no streamed book in sequence since a
   * snapshot, nor the venue's REST depth): nothing can be taken from it, so the entry is denied
   * `liquidity`, saying why. Its mid is what the entry's price is measured from (`entry_off_market`).
   */
  book: EntryBook;
  rules: MarketRules;
  /** The fees and stop-limit offset a trade stopped out pays beyond its stop distance: sized within its budget. */
  costs: ExitCosts;
};

export type EntryApproval = {
  ok: true;
  qty: number;
  /** Entry and stop on the venue's tick grid; risk and reward:risk are measured with these. */
  entry: number;
  stop: number;
  /**
   * qty × the stop distance it was sized by: what the stop protecting it costs if hit, before costs (the
   * open-risk limit counts held positions so). The size leaves room for the costs: see sizeEntry.
   */
  riskAmount: number;
  notional: number;
  /** Regime × volatility × reviewer factor applied to the risk budget. */
  scaledBy: number;
  /** Which cap cut the risk-based size, if any. */
  cappedBy: 'max_position' | 'liquidity' | null;
};

type AlignedPrices = { ok: true; entry: number; stop: number };

/**
 * Decides whether a new entry may be placed and how large it is. Checks run in this order and
 * the first that says no is the answer:
 *
 * 1. kill switch → drawdown halt → daily loss → loss-streak pause → stale data → unreconciled venue
 * 2. a short where shorts are not allowed → `short_not_allowed`; a market another strategy holds or has
 *    an entry pending in → `market_held` (the venue nets one position per market: it would add to theirs);
 *    the candidate itself (finite prices, stop and targets on the right sides) → `invalid_intent`
 * 3. the signal's age → `stale_signal`; its entry's distance from the book's mid (the touch when one
 *    side is empty) → `entry_off_market`; without a book it is denied `liquidity` in 5
 * 4. reward:risk to the nearest target
 * 5. sizing: risk budget (riskPerTrade × equity × regime scale) / what a unit loses at the stop (for an
 *    add, the farther of its own stop and the held position's: see addStopDistance), the stop-limit's
 *    worst fill and both fills' taker fees included (lossPerUnitAtStop), cut to fit the
 *    per-market notional cap and the liquidity cap, then rounded down to the venue's step; a size
 *    a cap left below the venue minimum is denied with that cap's reason, otherwise `min_notional`;
 *    so is a size the venue would take but not at its stop (`stopExitAllowanceBps` below it)
 * 6. total exposure → open risk → number of open positions
 *
 * The caps in 5 and 6 count the positions held and the entries approved but not filled yet (pending,
 * those not expired by `now`): entries approved before the first fills share the same room.
 *
 * Only entries come here. Exits, stops and take-profits are reduce-only and always allowed: no
 * rule here may keep a position from being closed, including while killed or halted.
 */
export function evaluateEntry(
  current: RiskState,
  candidate: EntryCandidate,
  limits: RiskLimits,
  now: number,
): EntryApproval | Denial {
  const state = expirePending(current, now);
  const gate = checkEntryGates(state, candidate, limits, now);
  if (!gate.ok) return gate;
  if (candidate.side === 'short' && !limits.allowShort)
    return denyGate('short_not_allowed', 'short entries are not allowed (risk limit allowShort is off)');
  const held = checkMarketHeld(state, candidate);
  if (!held.ok) return held;
  const prices = alignPrices(candidate);
  if (!prices.ok) return prices;
  const market = firstDenial([
    () => checkSignalAge(candidate.signalTime, now, limits),
    () => checkEntryNearBook(candidate, prices.entry, limits),
  ]);
  if (!market.ok) return market;
  const rr = checkRewardRisk(candidate.side, prices.entry, prices.stop, candidate.takeProfits, limits);
  if (!rr.ok) return rr;
  const sized = sizeEntry(state, candidate, prices, limits);
  if (!sized.ok) return sized;
  const entry: SizedEntry = { ...candidate, notional: sized.notional, riskAmount: sized.riskAmount };
  const portfolio = firstDenial([
    () => checkExposure(state, entry, limits),
    () => checkOpenRisk(state, entry, limits),
    () => checkOpenPositions(state, entry, limits),
  ]);
  return portfolio.ok ? sized : portfolio;
}

const invalid = (detail: string): Denial => deny('invalid_intent', 0, 0, detail);
const isPrice = (x: number): boolean => Number.isFinite(x) && x > 0;
const isScale = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 1;
const isCost = (x: number): boolean => Number.isFinite(x) && x >= 0 && x < 10_000;

/** Puts entry on the tick grid and the stop on the grid away from entry, then checks the geometry. */
function alignPrices(c: EntryCandidate): AlignedPrices | Denial {
  if (![c.entry, c.stop, ...c.takeProfits].every(isPrice))
    return invalid('prices must be finite and positive');
  if (c.takeProfits.length === 0) return invalid('at least one take-profit is required');
  if (!isScale(c.volatilityScale) || !isScale(c.sizeMultiplier))
    return invalid('size scales must lie in [0, 1]');
  if (!isCost(c.costs.takerFeeBps) || !isCost(c.costs.stopLimitOffsetBps))
    return invalid('the taker fee and stop-limit offset must be basis points in [0, 10000)');
  const long = c.side === 'long';
  const entry = roundToStep(c.entry, c.rules.tickSize);
  const stop = long ? roundDownToStep(c.stop, c.rules.tickSize) : roundUpToStep(c.stop, c.rules.tickSize);
  const stopOk = long ? stop < entry && stop > 0 : stop > entry;
  if (!stopOk) return invalid(`stop ${stop} is not on the loss side of entry ${entry} for a ${c.side}`);
  const targetsOk = c.takeProfits.every((tp) => (long ? tp > entry : tp < entry));
  if (!targetsOk) return invalid(`every take-profit must be on the profit side of entry ${entry}`);
  return { ok: true, entry, stop };
}

function sizeEntry(
  state: RiskState,
  c: EntryCandidate,
  prices: AlignedPrices,
  limits: RiskLimits,
): EntryApproval | Denial {
  const scaledBy = regimeScale(c.regime, c.volatilityScale, c.sizeMultiplier, limits);
  // An add is protected at the held position's stop: sized to what that stop would cost.
  const stopDistance = addStopDistance(state, c, prices);
  const riskBudget = limits.riskPerTrade * state.equity * scaledBy;
  // Stopped out, a unit loses more than the distance: the stop-limit may fill at its limit, beyond the
  // stop, and the entry and the exit each pay the taker fee. Sized by the distance alone, a stopped
  // trade lost ~1.2× its budget at the live defaults (more with tight stops).
  const unitLoss = lossPerUnitAtStop(c.side, prices.entry, stopDistance, c.costs, c.rules.tickSize);
  let qty = riskBudget / unitLoss;
  let cappedBy: EntryApproval['cappedBy'] = null;

  const inMarket = marketNotional(state, c.exchange, c.symbol, c.side);
  const used = committed(inMarket);
  const maxNotional = limits.maxPositionNotional * state.equity;
  const roomQty = Math.max(0, maxNotional - used) / prices.entry;
  if (roomQty < qty) [qty, cappedBy] = [roomQty, 'max_position'];

  const depth = isNoBook(c.book) ? 0 : depthWithinBand(c.book, c.side, limits.liquidity.depthBandBps);
  const bookQty = limits.liquidity.maxDepthFraction * depth;
  if (bookQty < qty) [qty, cappedBy] = [bookQty, 'liquidity'];

  const order = sizeOrder({ qty, price: prices.entry }, c.rules);
  if (order.ok) {
    const unsellable = belowMinimumAtStop(order.qty, c, prices, limits);
    if (unsellable) return unsellable;
    const riskAmount = order.qty * stopDistance;
    const { entry, stop } = prices;
    return {
      ok: true,
      qty: order.qty,
      entry,
      stop,
      riskAmount,
      notional: order.notional,
      scaledBy,
      cappedBy,
    };
  }
  const smallest = smallestOrderQty(c.rules, prices.entry);
  const market = marketKey(c.exchange, c.symbol);
  if (cappedBy === 'max_position') {
    return deny(
      'max_position',
      maxNotional,
      used + smallest * prices.entry,
      `${market} ${c.side} holds ${used}${pendingNote(inMarket)} of at most ${maxNotional}; the room left is below the venue's smallest order`,
    );
  }
  if (cappedBy === 'liquidity') {
    return deny(
      'liquidity',
      bookQty,
      smallest,
      isNoBook(c.book)
        ? `no ${market} order book to size against (${c.book.none})`
        : `${depth} ${c.symbol} rest within ${limits.liquidity.depthBandBps} bps of the touch; ` +
            `${limits.liquidity.maxDepthFraction * 100}% of it is below the venue's smallest order`,
    );
  }
  return {
    ...order,
    detail: `risk ${riskBudget} over a unit's loss at the stop ${unitLoss} (stop distance ${stopDistance} with fees and the stop-limit offset; scaled by ${scaledBy}): ${order.detail}`,
  };
}

/**
 * An entry too small to exit whole at its cheapest exit: the protective stop-limit, or a take-profit
 * closing what is left, would be refused by the venue. A long's cheapest exit sells below its stop (the
 * stop-limit's allowance); a short's buys back at its lowest take-profit, below its entry (its stop buys
 * above the entry).
 */
function belowMinimumAtStop(
  qty: number,
  c: EntryCandidate,
  prices: AlignedPrices,
  limits: RiskLimits,
): Denial | undefined {
  const allowance = limits.stopExitAllowanceBps / 10_000;
  const exitPrice =
    c.side === 'long' ? prices.stop * (1 - allowance) : Math.min(prices.entry, ...c.takeProfits);
  const notional = qty * exitPrice;
  if (notional >= c.rules.minNotional) return undefined;
  const where =
    c.side === 'long'
      ? `at the stop (${limits.stopExitAllowanceBps} bps below ${prices.stop})`
      : 'at the lowest take-profit';
  return deny(
    'min_notional',
    c.rules.minNotional,
    notional,
    `${qty} × ${exitPrice} ${where} is below the venue's minimum ${c.rules.minNotional}: ${c.side === 'long' ? 'the stop' : 'the take-profit'} would be refused`,
  );
}
