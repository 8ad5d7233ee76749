import type { OrderEvent } from '@ballast/contracts';
import {
  applyFill,
  FLAT,
  isDust,
  isTakeProfitClose,
  type NetPosition,
  positionFill,
  sumLots,
  type TradableRules,
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
  position: NetPosition;
}

/** Who sent a closing order, read from its intent id (stops: `stops:<position>:<purpose>`). */
export function exitReason(intentId: string | null): BacktestTrade['exit_reason'] {
  if (!intentId) return 'other';
  if (intentId.startsWith('backtest:end')) return 'end_of_data';
  if (!intentId.startsWith('stops:')) return 'other';
  return isTakeProfitClose(intentId) ? 'take_profit' : 'stop';
}

/**
 * Turns the orders service's fill events into round trips, folding each fill with core's position
 * fold (the same one the orders service keeps positions with). A trade ends when its market is flat,
 * or, with the market's rules, when an exit order ended leaving only dust (a buy's fee taken in base
 * leaves a remainder no order can sell), as the orders service closes the position.
 */
export class TradeLedger {
  private readonly open = new Map<string, OpenTrade>();
  private readonly closed: BacktestTrade[] = [];

  constructor(
    private readonly strategyOf: (intentId: string | null) => string | null,
    private readonly rules?: (symbol: string) => TradableRules,
  ) {}

  onOrderEvent(event: OrderEvent): void {
    const fill = event.fill;
    if (!fill) return;
    const key = `${event.exchange}:${event.symbol}`;
    const fillSide = event.side === 'buy' ? 'long' : 'short';
    let trade = this.open.get(key);
    if (!trade) {
      trade = {
        side: fillSide,
        strategy: this.strategyOf(event.intentId),
        entryTime: fill.time,
        entryQty: 0,
        entryNotional: 0,
        exitQty: 0,
        exitNotional: 0,
        exitTime: fill.time,
        exitIntent: null,
        position: FLAT,
      };
      this.open.set(key, trade);
    }
    const before = trade.position;
    trade.position = applyFill(before, positionFill(event.symbol, event.side, fill));
    if (fillSide === trade.side) {
      trade.entryQty += fill.qty;
      trade.entryNotional += fill.qty * fill.price;
      return;
    }
    const closing = Math.min(fill.qty, before.qty);
    trade.exitQty = sumLots([trade.exitQty, closing]);
    trade.exitNotional += closing * fill.price;
    trade.exitTime = fill.time;
    trade.exitIntent = event.intentId;
    if (
      trade.position.qty === 0 ||
      trade.position.side !== trade.side ||
      this.leftDust(event, trade.position)
    )
      this.close(key, event.symbol, trade);
  }

  /** Whether an exit order that ended left only what the venue will not trade. */
  private leftDust(event: OrderEvent, position: NetPosition): boolean {
    const ended = event.status === 'filled' || event.status === 'cancelled';
    const price = event.fill?.price;
    return (
      ended &&
      price !== undefined &&
      this.rules !== undefined &&
      isDust(position.qty, this.rules(event.symbol), price)
    );
  }

  /** Closed round trips, in the order they closed. */
  trades(): BacktestTrade[] {
    return [...this.closed];
  }

  /** Markets with an open position, for the end-of-data close. */
  openMarkets(): Array<{ symbol: string; side: 'long' | 'short'; qty: number }> {
    return [...this.open.entries()].map(([key, t]) => ({
      symbol: key.split(':')[1] ?? '',
      side: t.position.side,
      qty: t.position.qty,
    }));
  }

  get exposed(): boolean {
    return this.open.size > 0;
  }

  private close(key: string, symbol: string, trade: OpenTrade): void {
    this.open.delete(key);
    const { position } = trade;
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
      fees: position.fees,
      pnl: position.realizedPnl - position.fees,
      exit_reason: exitReason(trade.exitIntent),
    });
  }
}
