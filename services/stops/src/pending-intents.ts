import type { OrderIntent, PositionSide } from '@ballast/contracts';

/** What is known of a position's opening: who opened it, on which side, when (its event's time). */
export interface Opening {
  /** The strategy whose fill opened it; null for a fill reconciliation recorded (external, adopted). */
  strategy: string | null;
  side: PositionSide;
  at: number;
}

/**
 * Whether an intent, decided at `decidedAt`, is the one that opened a position: same strategy and
 * side, decided no later than the opening. A position no strategy opened has no intent.
 */
export function opened(intent: OrderIntent, decidedAt: number, opening: Opening): boolean {
  return (
    opening.strategy !== null &&
    intent.strategy === opening.strategy &&
    intent.positionSide === opening.side &&
    decidedAt <= opening.at
  );
}

/**
 * Approved intents that no position has used yet, at most one per market: a newer decision replaces
 * an older one that never filled. Each is used once (taken by the position it opened), and forgotten
 * when its order is refused or the market's position closes, so no later position inherits the stop
 * and take-profits of a trade that is over.
 */
export class PendingIntents {
  private readonly byMarket = new Map<string, { intent: OrderIntent; decidedAt: number }>();

  add(intent: OrderIntent, decidedAt: number): void {
    this.byMarket.set(market(intent.exchange, intent.symbol), { intent, decidedAt });
  }

  has(key: string): boolean {
    return this.byMarket.has(key);
  }

  /** The intent that opened this position, removed; undefined when none pending did. */
  take(key: string, opening: Opening): OrderIntent | undefined {
    const pending = this.byMarket.get(key);
    if (!pending || !opened(pending.intent, pending.decidedAt, opening)) return undefined;
    this.byMarket.delete(key);
    return pending.intent;
  }

  /** The market's position closed at `at`: what was decided until then belonged to it. */
  closed(key: string, at: number): void {
    const pending = this.byMarket.get(key);
    if (pending && pending.decidedAt <= at) this.byMarket.delete(key);
  }

  /** The venue or the orders service refused the intent's order: no position will come of it. */
  refused(key: string, intentId: string | null): void {
    if (this.byMarket.get(key)?.intent.intentId === intentId) this.byMarket.delete(key);
  }
}

export function market(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}
