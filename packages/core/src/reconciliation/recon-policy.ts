import type { TradableRules } from '../execution/dust';

/** How a venue is reconciled: configuration, plus the run's clock reading. */
export type ReconPolicy = {
  /** Client ids we generate start with it: an unknown open order carrying it is one of our intents. */
  clientIdPrefix: string;
  /** What to do with an open order on the venue that is not ours. */
  externalOrders: 'leave' | 'cancel';
  /** An order sent or recorded open this recently may not be known to the venue yet: it is not a drift. */
  inFlightGraceMs: number;
  /** Position differences up to this (the lot step) are rounding, per symbol; 0 when absent. */
  positionTolerance: Readonly<Record<string, number>>;
  /**
   * Per symbol, the venue's rules and a price to judge a holding by: one no order can sell (dust, left by
   * an exit the orders service closed on it) needs no stop. Absent: only the lot step is rounding.
   */
  dust?: Readonly<Record<string, { rules: TradableRules; price: number }>>;
  /** Balance differences up to this are dust, per asset; `default` for the rest. */
  balanceTolerance: Readonly<Record<string, number>> & { default: number };
  /** Whether protective stops rest on this venue (false for paper stops kept in-process). */
  stopsOnVenue: boolean;
  now: number;
};
