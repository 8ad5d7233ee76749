/**
 * Realised profit per position id, from the orders service's position events. Their `realizedPnl`
 * and `fees` are cumulative for a position id (exchange:symbol) over every trade it ever had, so the
 * ledger keeps what it has already folded: an event's equity change, and a closed trade's own pnl,
 * are differences from that, and a redelivered event changes nothing.
 */
export class RealisedLedger {
  /** Net (realised − fees) already folded into equity, per position id. */
  private readonly folded = new Map<string, number>();
  /** Net already booked as closed trades, per position id. */
  private readonly booked = new Map<string, number>();
  /** Fees already booked as closed trades, per position id. */
  private readonly bookedFees = new Map<string, number>();

  /** Starts from the recorded closed trades: their pnl is booked and folded. */
  constructor(history: ReadonlyArray<{ exchange: string; symbol: string; pnl: number; fees: number }>) {
    for (const t of history) {
      const id = `${t.exchange}:${t.symbol}`;
      this.booked.set(id, (this.booked.get(id) ?? 0) + t.pnl);
      this.bookedFees.set(id, (this.bookedFees.get(id) ?? 0) + t.fees);
    }
    for (const [id, net] of this.booked) this.folded.set(id, net);
  }

  /** The equity change this event brings (fees paid, profit realised since the last event). */
  fold(positionId: string, net: number): number {
    const delta = net - (this.folded.get(positionId) ?? 0);
    this.folded.set(positionId, net);
    return delta;
  }

  /** A closed trade's own pnl: the net realised since the previous close of this position id. */
  tradePnl(positionId: string, net: number): number {
    return net - (this.booked.get(positionId) ?? 0);
  }

  /** A closed trade's own fees: cumulative fees since the previous close of this position id. */
  tradeFees(positionId: string, cumulativeFees: number): number {
    return cumulativeFees - (this.bookedFees.get(positionId) ?? 0);
  }

  book(positionId: string, net: number, cumulativeFees: number): void {
    this.booked.set(positionId, net);
    this.bookedFees.set(positionId, cumulativeFees);
  }

  /**
   * Everything folded so far: the booked trades and what each position id's recorded fills have
   * realised and paid (for equity configured as a starting amount).
   */
  foldedTotal(): number {
    let total = 0;
    for (const net of this.folded.values()) total += net;
    return total;
  }
}
