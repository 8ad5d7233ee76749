import type { HeldPositions } from './held-positions';

/** What risk consumes per account, by durable: each counts another venue's messages it passes over. */
export const RISK_CONSUMERS = [
  'book',
  'order',
  'position',
  'recon-status',
  'signal',
  'status',
  'stop',
] as const;
export type RiskConsumer = (typeof RISK_CONSUMERS)[number];

/**
 * A risk durable's name: one risk runs per trading account, several on one bus, and processes sharing
 * a durable share its messages (each sees only part of the kills, positions and signals).
 */
export function riskDurable(venue: string, what: string): string {
  return `risk-${venue}-${what}`;
}

/**
 * What the records hold for `venue` only: the orders and position slots of every trading account are
 * in one database, and another account's positions, entries and stops are its own risk's.
 */
export function ownHeld(held: HeldPositions, venue: string): HeldPositions {
  const slots = held.slots.filter((s) => s.exchange === venue);
  const ids = new Set(slots.map((s) => s.positionId));
  return {
    slots,
    stops: new Map([...held.stops].filter(([positionId]) => ids.has(positionId))),
    entryOrders: held.entryOrders.filter((o) => o.exchange === venue),
  };
}
