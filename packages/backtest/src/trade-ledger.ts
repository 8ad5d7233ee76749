import type { OrderEvent } from '@ballast/contracts';
import {
  endExit,
  foldKept,
  isTakeProfitClose,
  type KeptPosition,
  type KeptStep,
  keptPosition,
  NOTHING_KEPT,
  positionFill,
  type TradableRules,
  type TradeFigures,
  tradeFigures,
} from '@ballast/core';
import type { BacktestTrade } from './backtest-result';

interface OpenTrade {
  side: 'long' | 'short';
  strategy: string | null;
  entryTime: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  exitTime: number;
  exitIntent: string | null;
  /** The fold's cumulative figures when the trade opened: its own are the difference. */
  start: TradeFigures;
}

/** Coins the fold still holds in a market with no trade open: dust no order could sell. */
export type HeldDust = { symbol: string; side: 'long' | 'short'; qty: number; avgEntry: number };

/**
 * Who sent a closing order, read from its intent id (stops: `stops:<position>:<purpose>`); `endOfData`
 * is the intent prefix of the run's end-of-data close.
 */
export function exitReason(intentId: string | null, endOfData?: string): BacktestTrade['exit_reason'] {
  if (!intentId) return 'other';
  if (endOfData !== undefined && intentId.startsWith(endOfData)) return 'end_of_data';
  if (!intentId.startsWith('stops:')) return 'other';
  return isTakeProfitClose(intentId) ? 'take_profit' : 'stop';
}

/**
 * Turns the orders service's fill events into round trips, folding each fill with core's kept fold
 * (foldKept), as the orders service keeps its positions: a trade ends when its position closes, flat or
 * on dust (an exit order that ended leaving a remainder no order can sell, as a buy's fee taken in base
 * leaves); the dust is carried into the next trade of the market, which sells it with its own, its move
 * since its entry realised in that trade. So the trades' pnl adds up to the account's change, but for
 * the dust still held at the end (`dust()`).
 */
export class TradeLedger {
  private readonly kept = new Map<string, KeptPosition>();
  /** The order whose fill each market's fold took last: an exit the venue ends later may leave it dust. */
  private readonly lastFilledBy = new Map<string, string>();
  private readonly open = new Map<string, OpenTrade>();
  private readonly closed: BacktestTrade[] = [];
  private endIntent: string | undefined;

  constructor(
    private readonly strategyOf: (intentId: string | null) => string | null,
    private readonly rules?: (symbol: string) => TradableRules,
  ) {}

  /** The intent prefix of the end-of-data close: its exits are reported `end_of_data`. */
  endOfData(intentPrefix: string): void {
    this.endIntent = intentPrefix;
  }

  onOrderEvent(event: OrderEvent): void {
    const key = `${event.exchange}:${event.symbol}`;
    const fill = event.fill;
    if (!fill) {
      this.onEnded(key, event);
      return;
    }
    const before = this.kept.get(key) ?? NOTHING_KEPT;
    const step = foldKept(before, positionFill(event.symbol, event.side, fill), this.endRules(event));
    this.kept.set(key, step.kept);
    this.lastFilledBy.set(key, event.clientOrderId);
    let trade = this.open.get(key);
    let entered = fill.qty;
    if (trade && step.opens) {
      // A flip: the trade ends on the part of the fill that closed it; the new one starts from there.
      const closing = Math.min(fill.qty, before.net.qty);
      this.addExit(trade, event, closing);
      this.close(key, event.symbol, trade, before.net);
      entered = fill.qty - closing;
      trade = undefined;
    }
    if (!trade && step.opens) trade = this.openTrade(key, event, before, step);
    if (!trade) return;
    if (!step.opens && event.side !== (trade.side === 'long' ? 'buy' : 'sell'))
      this.addExit(trade, event, fill.qty);
    else {
      trade.entryQty += entered;
      trade.entryNotional += entered * fill.price;
    }
    if (step.status === 'closed') this.close(key, event.symbol, trade, step.kept.net);
  }

  /** A trade opened by `event`'s fill, from the fold's figures before it (dust it took in included). */
  private openTrade(key: string, event: OrderEvent, before: KeptPosition, step: KeptStep): OpenTrade {
    const trade: OpenTrade = {
      side: step.kept.net.side,
      strategy: this.strategyOf(event.intentId),
      entryTime: event.fill?.time ?? 0,
      entryQty: 0,
      entryNotional: 0,
      exitQty: 0,
      exitNotional: 0,
      exitTime: event.fill?.time ?? 0,
      exitIntent: null,
      start: { realizedPnl: before.net.realizedPnl, fees: before.net.fees },
    };
    this.open.set(key, trade);
    return trade;
  }

  private addExit(trade: OpenTrade, event: OrderEvent, qty: number): void {
    const fill = event.fill;
    if (!fill) return;
    trade.exitQty = Number((trade.exitQty + qty).toFixed(12));
    trade.exitNotional += qty * fill.price;
    trade.exitTime = fill.time;
    trade.exitIntent = event.intentId;
  }

  /**
   * An exit order the venue ended after its last fill was folded (a partly filled order cancelled): the
   * position is closed when what it holds is dust at the exit's price, as the orders service does.
   */
  private onEnded(key: string, event: OrderEvent): void {
    const trade = this.open.get(key);
    const kept = this.kept.get(key);
    const rules = this.endRules(event);
    const exits = event.side === 'sell' ? 'long' : 'short';
    if (!trade || !kept || !rules || event.avgPrice === null || kept.net.side !== exits) return;
    if (this.lastFilledBy.get(key) !== event.clientOrderId) return;
    const ended = endExit(kept, rules, event.avgPrice);
    if (!ended.dust) return;
    this.kept.set(key, ended);
    this.close(key, event.symbol, trade, ended.net);
  }

  /** The market's rules when the event ended its order (filled, or closed by the venue). */
  private endRules(event: OrderEvent): TradableRules | undefined {
    const ended = event.status === 'filled' || event.status === 'cancelled';
    return ended ? this.rules?.(event.symbol) : undefined;
  }

  /** Closed round trips, in the order they closed. */
  trades(): BacktestTrade[] {
    return [...this.closed];
  }

  /** Markets with an open position. */
  openMarkets(): Array<{ symbol: string; side: 'long' | 'short'; qty: number }> {
    return [...this.open.keys()].map((key) => {
      const position = keptPosition(this.kept.get(key) ?? NOTHING_KEPT);
      return { symbol: key.split(':')[1] ?? '', side: position.side, qty: position.qty };
    });
  }

  /** What the fold holds in markets with no trade open: dust, unsold and in no trade's pnl. */
  dust(): HeldDust[] {
    const held: HeldDust[] = [];
    for (const [key, kept] of this.kept)
      if (!this.open.has(key) && kept.net.qty > 0)
        held.push({
          symbol: key.split(':')[1] ?? '',
          side: kept.net.side,
          qty: kept.net.qty,
          avgEntry: kept.net.avgEntry,
        });
    return held;
  }

  get exposed(): boolean {
    return this.open.size > 0;
  }

  /** The trade ends with the fold at `net`: its figures are what the fold realised and paid since it opened. */
  private close(key: string, symbol: string, trade: OpenTrade, net: TradeFigures): void {
    this.open.delete(key);
    const figures = tradeFigures(net, trade.start);
    this.closed.push({
      symbol,
      side: trade.side,
      strategy: trade.strategy,
      entry_time: trade.entryTime,
      exit_time: trade.exitTime,
      qty: trade.entryQty,
      exit_qty: trade.exitQty,
      entry_price: trade.entryNotional / trade.entryQty,
      exit_price: trade.exitNotional / trade.exitQty,
      fees: figures.fees,
      pnl: figures.realizedPnl - figures.fees,
      exit_reason: exitReason(trade.exitIntent, this.endIntent),
    });
  }
}
