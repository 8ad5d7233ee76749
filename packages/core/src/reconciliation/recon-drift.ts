import type { MissingStopEvidence } from '@ballast/contracts';
import type { LedgerOrderStatus, VenueOrderState, VenueTrade } from './recon-snapshot';

/**
 * One difference between the venue and our records, with the repair that makes ours follow the
 * venue. `key` is stable across runs, so a repair is applied (and logged) once.
 */
export type Drift =
  | {
      kind: 'missing_fill';
      key: string;
      symbol: string;
      trade: VenueTrade;
      /** Our order the trade belongs to; null for an order we never placed (it is adopted). */
      clientOrderId: string | null;
      action: 'ingest_fill';
      evidence: string;
    }
  | {
      kind: 'unknown_order';
      key: string;
      symbol: string;
      order: VenueOrderState;
      action: 'adopt' | 'cancel' | 'leave';
      evidence: string;
    }
  | {
      /** A protective stop of ours (its client id says so) that no stop record names. */
      kind: 'orphan_stop';
      key: string;
      symbol: string;
      order: VenueOrderState;
      /** `cancel`: nothing in its market it may protect, and orphaned last run too; `flag`: left to the operator. */
      action: 'cancel' | 'flag';
      evidence: string;
    }
  | {
      kind: 'order_state';
      key: string;
      symbol: string;
      clientOrderId: string;
      ours: LedgerOrderStatus;
      /**
       * Our filled quantity when measured. The correction holds only while our record is still `ours`
       * and knows no more fills than this (or the venue's): a change made since is not overwritten.
       */
      oursFilledQty: number;
      venue: VenueOrderState | null;
      /** `await_venue`: an in-flight order the venue does not know yet; never assumed rejected. */
      action: 'set_status' | 'await_venue';
      status: LedgerOrderStatus | null;
      evidence: string;
    }
  | {
      kind: 'position_qty';
      key: string;
      symbol: string;
      /** Ours after the missing fills of this run are applied. */
      ours: number;
      venue: number;
      action: 'set_position';
      evidence: string;
    }
  | {
      /**
       * A position the venue shows that no automatic repair may take: `holdings_exceed_balance`, a spot
       * account holding less of the base asset than RECON_BASE_HOLDINGS (a spot short does not exist);
       * `balance_unexplained`, a difference that comes with a balance change none of our trades explains
       * (a deposit, a withdrawal): set automatically, coins of the operator's would become a position
       * that stops protect and `kill --flatten` sells. It waits for the operator (RECON_BASE_HOLDINGS,
       * or the coins moved back).
       */
      kind: 'position_unexplained';
      key: string;
      symbol: string;
      reason: 'holdings_exceed_balance' | 'balance_unexplained';
      ours: number;
      venue: number;
      action: 'await_operator';
      evidence: string;
    }
  | {
      kind: 'missing_stop';
      key: string;
      symbol: string;
      positionId: string;
      clientOrderId: string | null;
      /** See MissingStopEvidence: what is missing of the position's protection. */
      coverage: MissingStopCoverage;
      /** The position's size (unsigned) in our books after this run's missing fills. */
      positionQty: number;
      action: 'replace_stop';
      evidence: string;
    }
  | {
      kind: 'balance';
      key: string;
      symbol: null;
      asset: string;
      ours: number;
      venue: number;
      action: 'flag';
      evidence: string;
    };

export type DriftKind = Drift['kind'];

export type MissingStopCoverage = NonNullable<MissingStopEvidence['coverage']>;

const KINDS: Record<DriftKind, true> = {
  missing_fill: true,
  unknown_order: true,
  orphan_stop: true,
  order_state: true,
  position_qty: true,
  position_unexplained: true,
  missing_stop: true,
  balance: true,
};

/** Every kind of drift (a metric shows each from the start, at 0). */
export const DRIFT_KINDS = Object.keys(KINDS) as DriftKind[];

/** Drifts a repair cannot settle in this run: the venue stays unreconciled while any remains. */
export function isBlocking(drift: Drift): boolean {
  return (
    drift.action === 'await_venue' ||
    drift.action === 'replace_stop' ||
    drift.action === 'await_operator' ||
    (drift.kind === 'orphan_stop' && drift.action === 'flag')
  );
}

/** Before/after views for the `recon.event` of a drift. */
export function driftBeforeAfter(drift: Drift): { before: unknown; after: unknown } {
  switch (drift.kind) {
    case 'missing_fill':
      return { before: null, after: drift.trade };
    case 'unknown_order':
      return { before: null, after: { order: drift.order, action: drift.action } };
    case 'orphan_stop':
      return { before: null, after: { order: drift.order, action: drift.action } };
    case 'order_state':
      return { before: { status: drift.ours }, after: { status: drift.status, venue: drift.venue } };
    case 'position_qty':
      return { before: { qty: drift.ours }, after: { qty: drift.venue } };
    case 'position_unexplained':
      return { before: { qty: drift.ours }, after: { qty: drift.venue, reason: drift.reason } };
    case 'missing_stop':
      // The position travels with the event: the stop manager re-places that position's stop.
      return {
        before: {
          positionId: drift.positionId,
          clientOrderId: drift.clientOrderId,
          coverage: drift.coverage,
          positionQty: drift.positionQty,
        } satisfies MissingStopEvidence,
        after: null,
      };
    case 'balance':
      return { before: { [drift.asset]: drift.ours }, after: { [drift.asset]: drift.venue } };
  }
}
