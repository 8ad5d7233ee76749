import { type OrderIntent, OrderSide, type PositionEvent, PositionSide } from '@ballast/contracts';
import { closingSide, ratchetStop } from '@ballast/core';
import { z } from 'zod';

/** What the stops service persists per open position (table `protective_stops`, column `state`). */
export const StopRecord = z.object({
  positionId: z.string().min(1),
  exchange: z.string().min(1),
  symbol: z.string().min(1),
  side: PositionSide,
  /** The closing side of the stop order. */
  stopSide: OrderSide,
  qty: z.number().nonnegative(),
  entry: z.number().positive(),
  stopPrice: z.number().positive(),
  /** The client order id of the stop that should be live; null while none is placed. */
  clientOrderId: z.string().nullable(),
  /** Bumped on every (re)placement, so each stop gets a fresh, derived client order id. */
  seq: z.number().int().nonnegative(),
  /**
   * The client order id of a placement sent whose answer is not stored yet: stored before it is sent.
   * After a crash the next placement asks for the stop under this id again, so one the venue took is
   * found (refused as a duplicate) and adopted, never left resting untracked beside a new one (on spot
   * it locks the coins, and the new stop is refused).
   */
  sending: z.string().nullable().default(null),
  verified: z.boolean(),
  intentId: z.string().nullable(),
  /**
   * The strategy whose fill opened the position (null: a fill reconciliation recorded, or a record kept
   * before this was): only its own entries add to the position.
   */
  strategy: z.string().nullable().default(null),
  /**
   * Intents (ids) that growths of the position named before their decisions were read, newest last:
   * such a decision, when it comes, is adopted as an add. Ids that are no add (a reconciliation
   * adjustment) are never decided and wait here harmlessly, bounded.
   */
  awaitingAdds: z.array(z.string()).default([]),
  /**
   * Opened by a strategy before its intent was read: that strategy's intent decided in the chain of
   * the opening (`correlationId`) is adopted when it arrives; null once adopted, or when none is expected.
   */
  awaiting: z.object({ strategy: z.string(), correlationId: z.string() }).nullable().default(null),
  ladder: z.object({ levels: z.array(z.number().positive()), taken: z.number().int().nonnegative() }),
  /**
   * Set once a full close was sent (local monitor, venue trigger) or a take-profit sold everything:
   * the record stays until the position is reported closed, and the close is re-sent when that does
   * not happen in time.
   */
  closing: z
    .object({
      /** Clock time of the last close sent. */
      sentAt: z.number(),
      /** Closes sent so far for this position. */
      attempts: z.number().int().positive(),
      /**
       * The venue executed our stop: the position is closed there and no close is ever sent; what
       * repeats is the request for reconciliation to record the fill.
       */
      byVenue: z.boolean().default(false),
      /**
       * With `byVenue`: what the position keeps once the venue's fill is booked (a stop smaller than the
       * position; growths read since). A position event showing the fill booked with that much left
       * ends the wait: the rest is closed. Absent: nothing.
       */
      keeps: z.number().nonnegative().optional(),
    })
    .nullable()
    .default(null),
  /**
   * A take-profit on its way: the stop already covers only `keep`, so the `qty` it sells is free
   * (spot locks what a stop covers). `keep` 0 sells everything: the stop rests on until the sale
   * fills where stops are reduce-only, and is cancelled for it on spot. The ladder moves to `level`
   * once all of it filled; if it (or one of its chunks) is refused, or it is unanswered, the stop covers
   * what stays and what was not sold again, and the ladder stays.
   */
  takeProfit: z
    .object({
      level: z.number().int().positive(),
      qty: z.number().positive(),
      keep: z.number().nonnegative(),
      /** Names the close, so its intent and client ids repeat when it is re-sent after a restart. */
      purpose: z.string().min(1),
      /** Clock time it was started, last re-sent, or last heard to sell more. */
      sentAt: z.number(),
      /**
       * What the sale filled so far, per client order id: the orders service sells a sale above the
       * venue's market maximum in chunks under the sale's intent (core takeProfitProgress). Stored, so
       * a restart in the middle of the sale still counts the chunks that filled before it.
       */
      fills: z.record(z.string(), z.number().nonnegative()).default({}),
      /**
       * The position's size last reported while the sale is out (null: none since it started), and the
       * net change of fills beside it that are not the position's own closes (core seenWhileSelling):
       * what grew is covered by the stop once the sale settles. Stored, so a restart still covers it.
       */
      seen: z.number().nonnegative().nullable().default(null),
      grown: z.number().default(0),
    })
    .nullable()
    .default(null),
  /**
   * The position's size before the last take-profit's sale, growth beside it included: a late position
   * event of that sale reports at most this (core positionChange). Null: no sale settled since.
   */
  soldFrom: z.number().nonnegative().nullable().default(null),
  /**
   * A move of the stop whose old stop could not be cancelled: the stop the record wants. `stopPrice`
   * and `qty` above still describe the old stop, which may rest; the move is made once its cancel
   * succeeds (the periodic check, start), and moves asked meanwhile start from this target.
   */
  pendingMove: z
    .object({ stopPrice: z.number().positive(), qty: z.number().nonnegative(), why: z.string() })
    .nullable()
    .default(null),
  /**
   * Opened while its stop could not be planned (market rules unreadable): a stub, stored so a restart
   * still knows the position, with no stop and counted unprotected. It is never a record in force:
   * start, the periodic check and reconciliation plan the position again from it (Entries.protect).
   */
  unplanned: z.object({ correlationId: z.string() }).nullable().default(null),
});
export type StopRecord = z.infer<typeof StopRecord>;

/**
 * The record of a newly opened position, before its stop is placed: the planned stop (none planned:
 * the entry, and the position is flattened), the intent that opened it when that was read, else the
 * opening to await that strategy's intent from. `seq` is the first of this record's stop ids.
 */
export function openedRecord(input: {
  position: PositionEvent;
  correlationId: string;
  plan: { ok: true; qty: number; stopPrice: number } | { ok: false };
  intent: OrderIntent | undefined;
  seq: number;
}): StopRecord {
  const { position, plan, intent } = input;
  return {
    positionId: position.positionId,
    exchange: position.exchange,
    symbol: position.symbol,
    side: position.side,
    stopSide: closingSide(position.side),
    qty: plan.ok ? plan.qty : position.qty,
    entry: position.avgEntry,
    stopPrice: plan.ok ? plan.stopPrice : position.avgEntry,
    clientOrderId: null,
    seq: input.seq,
    sending: null,
    verified: false,
    intentId: intent?.intentId ?? null,
    strategy: position.strategy,
    awaitingAdds: [],
    awaiting:
      intent || position.strategy === null
        ? null
        : { strategy: position.strategy, correlationId: input.correlationId },
    ladder: { levels: intent?.takeProfits ?? [], taken: 0 },
    closing: null,
    takeProfit: null,
    soldFrom: null,
    pendingMove: null,
    unplanned: null,
  };
}

/** A retired position's record whose stop `clientOrderId` is still to be cancelled (leftoverRecord). */
export type Leftover = StopRecord & { clientOrderId: string };

/** What names a record's row in the store: the position id, unless it is a leftover moved apart. */
export type RowKey = Pick<StopRecord, 'positionId' | 'exchange' | 'symbol'>;

/**
 * The record of a flat position whose stop `clientOrderId` could not be cancelled: stored active with
 * nothing to protect (qty 0, no close or move), so a restart still cancels the stop (leftoverStop).
 */
export function leftoverRecord(record: StopRecord, clientOrderId: string): Leftover {
  return {
    ...record,
    qty: 0,
    clientOrderId,
    verified: false,
    closing: null,
    takeProfit: null,
    pendingMove: null,
  };
}

/** A stored record that is only a retired position's stop still to be cancelled (see leftoverRecord). */
export function leftoverStop(record: StopRecord): record is Leftover {
  return record.qty <= 0 && record.clientOrderId !== null;
}

/**
 * The row a leftover moves to when the next position of its slot takes the slot's row (keyed by
 * position id): its own, named by its stop, so no later record of the slot overwrites it.
 */
export function leftoverRow(record: Leftover): RowKey {
  const { positionId, exchange, symbol, clientOrderId } = record;
  return { positionId: `${positionId}~${clientOrderId}`, exchange, symbol };
}

/**
 * The stop the record wants: its pending move's target while the old stop's cancel has not
 * succeeded, else the stop it has. What a trail, a resize or an add moves from.
 */
export function wantedStop(record: StopRecord): { stopPrice: number; qty: number } {
  return record.pendingMove ?? record;
}

/** The stop the local monitor holds the price to: the tighter of the one resting and a move waiting. */
export function watchedStop(record: StopRecord): number {
  // The ratchet's rule: of two stops, the one in the position's favour.
  return ratchetStop(record.side, record.stopPrice, record.pendingMove?.stopPrice ?? null);
}

/**
 * The stub of a position opened while its stop could not be planned. `seq` is the slot's last: the
 * record planned later carries on from it.
 */
export function unplannedRecord(position: PositionEvent, correlationId: string, seq: number): StopRecord {
  const plan = { ok: false } as const;
  return {
    ...openedRecord({ position, correlationId, plan, intent: undefined, seq }),
    unplanned: { correlationId },
  };
}

/** The position a stub was stored for, as its opening event told it: what planning it again reads. */
export function unplannedPosition(stub: StopRecord): PositionEvent {
  return {
    status: 'opened',
    positionId: stub.positionId,
    strategy: stub.strategy,
    exchange: stub.exchange,
    symbol: stub.symbol,
    side: stub.side,
    qty: stub.qty,
    avgEntry: stub.entry,
    realizedPnl: 0,
    fees: 0,
    intentId: null,
  };
}
