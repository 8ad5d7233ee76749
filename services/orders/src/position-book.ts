import type { Fill, PositionEvent } from '@ballast/contracts';
import {
  endExit,
  foldKept,
  type KeptPosition,
  type KeptStep,
  keptPosition,
  marketKey,
  type NetPosition,
  NOTHING_KEPT,
  type PositionOwner,
  positionFill,
  positionOwner,
  type TradableRules,
  type TradeFigures,
  tradeFigures,
} from '@ballast/core';
import type { OrderSlice } from '@ballast/db';

/** The slice a fill belongs to, as far as positions need it. */
type FillSlice = Pick<
  OrderSlice,
  'clientOrderId' | 'intentId' | 'exchange' | 'symbol' | 'side' | 'strategy' | 'correlationId'
>;

/**
 * The orders service's positions: one kept fold of our fills per exchange:symbol (see KeptPosition:
 * a remainder the venue will not trade closes the position and is carried into the next one), whose
 * each is, and the figures each trade started from. Rebuilt on start by folding the same fills, in the
 * order they happened, with the same verdicts, so a restart reaches the positions the live fold had. (A
 * fill the live fold learnt of late, after a later one, is folded again at its own time: there the
 * rebuilt figures are those of the order the trades happened in.)
 */
export class PositionBook {
  private positions = new Map<string, KeptPosition>();
  /** Whose each position is: the order whose fill opened it (exits carry no strategy). */
  private owners = new Map<string, PositionOwner>();
  /** The cumulative figures each position started from: its trade's own are the difference. */
  private tradeStarts = new Map<string, TradeFigures>();
  /** The slice whose fill each position took last: an exit the venue ends later may leave it dust. */
  private lastFilledBy = new Map<string, string>();
  /**
   * Fills folded live whose announcement has not gone out yet, by market and trade id, with the step
   * each made: an announcement whose publish failed is run again, and must not fold its fills twice.
   */
  private unannounced = new Map<string, KeptStep>();

  /**
   * Folds one fill of ours once (`fold`): a fill folded already and not announced since gives the step
   * it made then, nothing folded again.
   */
  foldOnce(slice: FillSlice, fill: Fill, endRules: TradableRules | undefined): KeptStep {
    const key = tradeKey(slice, fill);
    const folded = this.unannounced.get(key);
    if (folded) return folded;
    const step = this.fold(slice, fill, endRules);
    this.unannounced.set(key, step);
    return step;
  }

  /** The fills' announcement went out: none of them comes again (see foldOnce). */
  announced(slice: Pick<FillSlice, 'exchange' | 'symbol'>, fills: readonly Fill[]): void {
    for (const fill of fills) this.unannounced.delete(tradeKey(slice, fill));
  }

  /** Folds one fill; `endRules` as in foldKept (the market's rules when the fill ended its order). */
  fold(slice: FillSlice, fill: Fill, endRules: TradableRules | undefined): KeptStep {
    const key = marketKey(slice.exchange, slice.symbol);
    const kept = this.positions.get(key) ?? NOTHING_KEPT;
    const step = foldKept(kept, positionFill(slice.symbol, slice.side, fill), endRules);
    this.positions.set(key, step.kept);
    this.lastFilledBy.set(key, slice.clientOrderId);
    const fillOwner = { strategy: slice.strategy, correlationId: slice.correlationId };
    this.owners.set(key, positionOwner(step.opens, this.owners.get(key), fillOwner));
    // A flip's realised part is counted in the new trade: one fill, one event (spot holds no shorts).
    // So is what dust taken in had moved since it was bought, realised as the new position opens.
    if (step.opens || !this.tradeStarts.has(key))
      this.tradeStarts.set(key, { realizedPnl: kept.net.realizedPnl, fees: kept.net.fees });
    return step;
  }

  /**
   * An exit order the venue ended after its last fill was folded (a partly filled order cancelled):
   * when the position took that fill last and what it holds is dust at `price`, what closing it leaves.
   * Kept only by `keepEnded`, once announced: an announcement that failed finds the position as it was.
   */
  endExit(slice: FillSlice, rules: TradableRules, price: number): KeptPosition | undefined {
    const key = marketKey(slice.exchange, slice.symbol);
    const kept = this.positions.get(key);
    const exits = slice.side === 'sell' ? 'long' : 'short';
    if (!kept || this.lastFilledBy.get(key) !== slice.clientOrderId || kept.net.side !== exits) return;
    const ended = endExit(kept, rules, price);
    if (!ended.dust || kept.dust) return;
    return ended;
  }

  /** Keeps what `endExit` found the position closed on dust to leave. */
  keepEnded(slice: Pick<FillSlice, 'exchange' | 'symbol'>, ended: KeptPosition): void {
    this.positions.set(marketKey(slice.exchange, slice.symbol), ended);
  }

  /** The position event for what a fill (at `price`) left kept, with `status`. */
  event(slice: FillSlice, kept: KeptPosition, status: PositionEvent['status'], price: number): PositionEvent {
    const key = marketKey(slice.exchange, slice.symbol);
    const { net } = kept;
    return {
      status,
      positionId: key,
      strategy: this.owner(slice)?.strategy ?? null,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: net.side,
      // A position closed on dust reports 0: the dust is no position (nothing can sell it).
      qty: Math.max(0, Number(keptPosition(kept).qty.toFixed(12))),
      avgEntry: net.avgEntry > 0 ? net.avgEntry : price,
      realizedPnl: net.realizedPnl,
      fees: net.fees,
      trade: tradeFigures(net, this.tradeStarts.get(key)),
      intentId: slice.intentId,
    };
  }

  owner(slice: Pick<FillSlice, 'exchange' | 'symbol'>): PositionOwner | undefined {
    return this.owners.get(marketKey(slice.exchange, slice.symbol));
  }

  /** The open positions on `exchange` (dust is none), by symbol. */
  open(exchange: string): Array<[symbol: string, position: NetPosition]> {
    const out: Array<[string, NetPosition]> = [];
    for (const [key, kept] of this.positions) {
      const [venue = '', symbol = ''] = key.split(':');
      if (venue === exchange && keptPosition(kept).qty > 0) out.push([symbol, kept.net]);
    }
    return out;
  }

  /** What the position in `symbol` on `exchange` holds, dust counted as flat. */
  position(exchange: string, symbol: string): NetPosition | undefined {
    const kept = this.positions.get(marketKey(exchange, symbol));
    return kept && keptPosition(kept);
  }
}

function tradeKey(slice: Pick<FillSlice, 'exchange' | 'symbol'>, fill: Pick<Fill, 'tradeId'>): string {
  return `${marketKey(slice.exchange, slice.symbol)}|${fill.tradeId}`;
}
