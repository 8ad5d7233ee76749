import type { Envelope, PositionEvent } from '@ballast/contracts';
import { applyClosedTrade, type ClosedTrade, LossStreakTracker } from '@ballast/core';
import type { ClosedTradeRecord, NewClosedTrade } from '@ballast/db';
import type { HeldPositions } from './held-positions';
import { RealisedLedger } from './realised-ledger';
import { RiskPart } from './risk-context';

/**
 * The trades positions closed: what each position id has realised (the ledger), each close recorded
 * once, and the results of those recorded, for the loss streak and the P&L figures.
 */
export class ClosedTrades extends RiskPart {
  ledger = new RealisedLedger([]);
  /** Closed trades' results, for the P&L figures. */
  results: ClosedTrade[] = [];
  /** Closed trades whose record failed, by their close's message id: its redelivery records them. */
  private readonly unrecorded = new Map<string, NewClosedTrade>();
  /** The trade keys (their close's message id) of the closed trades recorded. */
  private readonly recorded = new Set<string>();

  /** Starts from the recorded trades and what the held slots' recorded fills have realised and paid. */
  load(history: readonly ClosedTradeRecord[], slots: HeldPositions['slots']): void {
    this.ledger = new RealisedLedger(history);
    for (const t of history) this.recorded.add(t.tradeKey);
    // What every position id has paid and realised so far, by the recorded fills, is in the venue
    // balance already, and part of a configured equity: a close that happened while risk was down
    // included, whose event (not acknowledged yet) is delivered now and must add nothing. Their next
    // events add only what changes after.
    for (const slot of slots) this.ledger.fold(slot.positionId, slot.realizedPnl - slot.fees);
    this.results = history.map((t) => ({ pnl: t.pnl, fees: t.fees, closeTime: t.closeTime }));
  }

  /** The trade of a close whose state was applied and whose record failed, by its message id. */
  unrecordedOf(messageId: string): NewClosedTrade | undefined {
    return this.unrecorded.get(messageId);
  }

  /** Whether the close with this message id has its trade recorded. */
  isRecorded(messageId: string): boolean {
    return this.recorded.has(messageId);
  }

  /** The trade a close ends: its own pnl and fees, since the position id's previous close. */
  trade(message: Envelope<PositionEvent>, net: number, entryTime: number | null): NewClosedTrade {
    const p = message.payload;
    return {
      tradeKey: message.id,
      strategy: p.strategy,
      exchange: p.exchange,
      symbol: p.symbol,
      pnl: this.ledger.tradePnl(p.positionId, net),
      fees: this.ledger.tradeFees(p.positionId, p.fees),
      entryTime,
      closeTime: message.eventTime,
    };
  }

  /**
   * Records a closed trade and counts it (loss streak, P&L figures) once recorded. Until then it is kept
   * by its close's message id and the error fails the message: the bus delivers it again after a delay,
   * and meanwhile the events after it, so the close's effect on the position is applied once, in order.
   */
  async record(messageId: string, trade: NewClosedTrade): Promise<void> {
    this.unrecorded.set(messageId, trade);
    const recorded = await this.deps.trades.record(trade);
    this.unrecorded.delete(messageId);
    this.recorded.add(messageId);
    if (!recorded) return;
    const closed = { pnl: trade.pnl, fees: trade.fees ?? 0, closeTime: trade.closeTime };
    // A close recorded after a later one (its first record failed, the later one's did not) takes its
    // place in close-time order, as a restart would fold it: a loss then a win is no streak.
    const late = this.results.some((r) => r.closeTime > closed.closeTime);
    this.results.push(closed);
    this.ctx.state = late
      ? { ...this.ctx.state, lossStreak: LossStreakTracker.fromHistory(this.results).state }
      : applyClosedTrade(this.ctx.state, closed);
    if (trade.strategy !== null) this.deps.tradeClosed?.(trade.strategy);
  }
}
