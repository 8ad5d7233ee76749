import type { Envelope, PositionEvent } from '@ballast/contracts';
import { applyEntryFill, applyExitFill, type OpenPosition } from '@ballast/core';
import type { ClosedTrades } from './closed-trades';
import type { EquityMarks } from './equity-marks';
import type { HeldPositions } from './held-positions';
import type { PositionStops } from './position-stops';
import { type RiskContext, RiskPart } from './risk-context';

/**
 * The positions risk holds: read from the durable records at start, then folded from the orders
 * service's position events, whose realised profit moves equity and whose closes end trades. Equity is
 * marked again after each event, on the positions then held (EquityMarks).
 */
export class Positions extends RiskPart {
  /**
   * When each position id's latest position was entered (event time of the first event showing it, or
   * its opening fill's time when read at start), for closed trades.
   */
  private readonly entries = new Map<string, number>();

  constructor(
    ctx: RiskContext,
    private readonly stops: PositionStops,
    private readonly trades: ClosedTrades,
    private readonly equity: EquityMarks,
  ) {
    super(ctx);
  }

  /**
   * Starts from what the durable records hold: the position events that opened these positions were
   * acknowledged before this start and are not delivered again. Flat slots keep their last entry time,
   * for a close that happened while risk was down; a replayed event changes nothing (it is cumulative).
   * Each position keeps its strategy: a market stays its holder's (market_held).
   */
  load({ slots, stops }: HeldPositions): void {
    this.stops.load(stops);
    for (const slot of slots) {
      this.entries.set(slot.positionId, slot.enteredAt);
      if (slot.qty <= 0) continue;
      const { positionId, exchange, symbol, side, qty, entry, strategy } = slot;
      const stop = this.stops.reported(positionId) ?? 0;
      this.ctx.state = applyEntryFill(this.ctx.state, {
        positionId,
        exchange,
        symbol,
        side,
        qty,
        price: entry,
        stop,
        strategy,
      });
    }
  }

  async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    const p = message.payload;
    // A close whose state was applied and whose trade failed to record only records it: later events of
    // the position id were handled while it waited (a new position may have opened), and are newer.
    const unrecorded = this.trades.unrecordedOf(message.id);
    if (unrecorded) return this.trades.record(message.id, unrecorded);
    // A close whose trade is recorded was applied before: delivered again, it changes nothing.
    if (p.status === 'closed' && this.trades.isRecorded(message.id)) return;
    const held = this.ctx.state.positions.find((x) => x.positionId === p.positionId);
    const net = p.realizedPnl - p.fees;
    if (p.status === 'closed' && held && message.eventTime < (this.entries.get(p.positionId) ?? 0))
      return this.recordEarlierClose(message, net);
    // Equity at cost moves by what the event realised and paid since the position id's last event.
    this.equity.realise(this.trades.ledger.fold(p.positionId, net));
    if (p.status === 'closed') return this.close(message, held, net);
    this.change(message, held);
    this.equity.mark();
  }

  /** The position closed: its trade ends, and the position id's next position starts afresh. */
  private close(
    message: Envelope<PositionEvent>,
    held: OpenPosition | undefined,
    net: number,
  ): Promise<void> {
    const p = message.payload;
    this.ctx.state = applyExitFill(this.ctx.state, { positionId: p.positionId, qty: held?.qty ?? 0 });
    // Its result is realised now: what it was marked at leaves equity with it.
    this.equity.mark();
    const trade = this.trades.trade(message, net, this.entries.get(p.positionId) ?? null);
    this.entries.delete(p.positionId);
    this.stops.closed(p.positionId);
    this.trades.ledger.book(p.positionId, net, p.fees);
    return this.trades.record(message.id, trade);
  }

  /** The position opened, grew or shrank: held as much as the event says. */
  private change(message: Envelope<PositionEvent>, held: OpenPosition | undefined): void {
    const p = message.payload;
    if (p.qty > 0 && (!held || !this.entries.has(p.positionId)))
      this.entries.set(p.positionId, message.eventTime);
    const delta = p.qty - (held?.qty ?? 0);
    if (delta > 0) {
      this.ctx.state = applyEntryFill(this.ctx.state, {
        positionId: p.positionId,
        exchange: p.exchange,
        symbol: p.symbol,
        side: p.side,
        qty: delta,
        price: p.avgEntry,
        // The event's average already counts this fill: an add is not averaged in again.
        avgEntry: p.avgEntry,
        stop: held?.stop ?? this.stops.openingStop(p),
        // The orders service names the position's owner (positionOwner); an add leaves it as it was.
        strategy: p.strategy,
      });
      this.stops.opened(p.positionId);
    } else if (delta < 0) {
      this.ctx.state = applyExitFill(this.ctx.state, { positionId: p.positionId, qty: -delta });
    }
  }

  /**
   * The close of a position before the one held on the position id (exchange:symbol, reused), delivered
   * again after a restart: its record failed before it, and the held position was read from the
   * recorded fills, which count the close already. It only records its trade; the entry time of the
   * position it closed is not known any more.
   */
  private recordEarlierClose(message: Envelope<PositionEvent>, net: number): Promise<void> {
    const p = message.payload;
    const trade = this.trades.trade(message, net, null);
    // The held position's own trade is counted from this close on.
    this.trades.ledger.book(p.positionId, net, p.fees);
    this.deps.log.warn(
      { positionId: p.positionId, closeTime: message.eventTime, enteredAt: this.entries.get(p.positionId) },
      'close of an earlier position: recorded, the position held stays',
    );
    return this.trades.record(message.id, trade);
  }
}
