import type { OrderIntent, PositionSide } from '@ballast/contracts';

/**
 * What is known of a position's opening: who opened it, on which side, and the chain (correlation
 * id) of its opening event. The orders service publishes an entry's events in the chain of the
 * decision that asked for it, so that chain names the intent.
 */
export interface Opening {
  /** The strategy whose fill opened it; null for a fill reconciliation recorded (external, adopted). */
  strategy: string | null;
  side: PositionSide;
  correlationId: string;
}

/**
 * Whether an intent, decided in the chain `correlationId`, is the one that opened a position: same
 * chain, strategy and side. A position no strategy opened has no intent.
 */
export function opened(intent: OrderIntent, correlationId: string, opening: Opening): boolean {
  return (
    opening.strategy !== null &&
    intent.strategy === opening.strategy &&
    intent.positionSide === opening.side &&
    correlationId === opening.correlationId
  );
}

/**
 * Approved intents that no position has used yet, at most one per market: a newer decision replaces
 * an older one that never filled. Each is used once, by the position it opened, so no later position
 * inherits the stop and take-profits of a trade that is over; one whose order is refused is dropped.
 */
export class PendingIntents {
  private readonly byMarket = new Map<string, { intent: OrderIntent; correlationId: string }>();

  add(intent: OrderIntent, correlationId: string): void {
    this.byMarket.set(market(intent.exchange, intent.symbol), { intent, correlationId });
  }

  has(key: string): boolean {
    return this.byMarket.has(key);
  }

  /** The intent that opened this position, removed; undefined when none pending did. */
  take(key: string, opening: Opening): OrderIntent | undefined {
    const pending = this.byMarket.get(key);
    if (!pending || !opened(pending.intent, pending.correlationId, opening)) return undefined;
    this.byMarket.delete(key);
    return pending.intent;
  }

  /** The venue or the orders service refused the intent's order: no position will come of it. */
  refused(key: string, intentId: string | null): void {
    if (this.byMarket.get(key)?.intent.intentId === intentId) this.byMarket.delete(key);
  }
}

export function market(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}
