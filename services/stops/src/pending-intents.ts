import { OrderIntent } from '@ballast/contracts';
import { EntryOrders, NO_ENTRY_ORDERS, type Opening, opened } from '@ballast/core';
import { z } from 'zod';

/**
 * An approved intent waiting for its fill: its decision's chain, when (injected clock) it was read,
 * and what its entry's orders came to so far (none in entries stored before it was kept).
 */
export const PendingIntent = z.object({
  intent: OrderIntent,
  correlationId: z.string(),
  receivedAt: z.number(),
  orders: EntryOrders.default(NO_ENTRY_ORDERS),
});
export type PendingIntent = z.infer<typeof PendingIntent>;

/**
 * Approved intents that no position has used yet, keyed by intent id: a market may have several
 * (two approvals before the first fill), and the fill's chain says which is its own. Each is used
 * once, by the position it opened, so no later position inherits the stop and take-profits of a
 * trade that is over; one whose entry ended with nothing filled, or older than the bound, is dropped.
 */
export class PendingIntents {
  private readonly byId = new Map<string, PendingIntent>();

  constructor(pending: readonly PendingIntent[] = []) {
    for (const p of pending) this.byId.set(p.intent.intentId, p);
  }

  /** A redelivered decision keeps what its entry's orders were heard to come to. */
  add(intent: OrderIntent, correlationId: string, receivedAt: number): void {
    const orders = this.byId.get(intent.intentId)?.orders ?? NO_ENTRY_ORDERS;
    this.byId.set(intent.intentId, { intent, correlationId, receivedAt, orders });
  }

  get(intentId: string): PendingIntent | undefined {
    return this.byId.get(intentId);
  }

  /** The intents with `pending` in place of the one of its id. */
  with(pending: PendingIntent): PendingIntent[] {
    return this.list().map((p) => (p.intent.intentId === pending.intent.intentId ? pending : p));
  }

  /** Replaces the intent of its id (one still pending). */
  update(pending: PendingIntent): void {
    if (this.byId.has(pending.intent.intentId)) this.byId.set(pending.intent.intentId, pending);
  }

  /** Whether one waits on this market (that one, when `intentId` is given). */
  has(key: string, intentId?: string): boolean {
    return [...this.byId.values()].some(
      (p) =>
        market(p.intent.exchange, p.intent.symbol) === key &&
        (intentId === undefined || p.intent.intentId === intentId),
    );
  }

  /** The intent that opened this position; undefined when none pending did. */
  find(key: string, opening: Opening): OrderIntent | undefined {
    return this.list().find(
      (p) => market(p.intent.exchange, p.intent.symbol) === key && opened(p.intent, p.correlationId, opening),
    )?.intent;
  }

  /** Used by its position, or its entry over with nothing filled: no (other) position will come of it. */
  remove(intentId: string | null): boolean {
    return intentId !== null && this.byId.delete(intentId);
  }

  /** Drops those read before `before`: their order is long over; true when any was dropped. */
  expire(before: number): boolean {
    let dropped = false;
    for (const [id, p] of this.byId) if (p.receivedAt < before) dropped = this.byId.delete(id) || dropped;
    return dropped;
  }

  list(): PendingIntent[] {
    return [...this.byId.values()];
  }
}

export function market(exchange: string, symbol: string): string {
  return `${exchange}:${symbol}`;
}
