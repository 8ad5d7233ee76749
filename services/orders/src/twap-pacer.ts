import type { Clock } from '@ballast/contracts';
import {
  afterShortFill,
  afterSizeRefusal,
  approvalExpired,
  bookTouch,
  CATCH_UP_FIRST_SLICE,
  checkDriftFromAccepted,
  checkSlippage,
  clientOrderId,
  deferSlices,
  isFlattenIntent,
  isSizeRefusal,
  LAST_ATTEMPT,
  marketCloseChunks,
  marketOrderCap,
  orderFilterFailure,
  type PacedSlice,
  respaceOverdue,
  slippageWaitDetail,
  slippageWaits,
  smallestOrderQty,
  type TwapRefusal,
  type TwapShortfall,
} from '@ballast/core';
import type { NewSlice, OrderSlice, OrderSliceRepository } from '@ballast/db';
import type { OrderVenue, VenueError } from '@ballast/exchange';
import type { OrdersConfig } from './config';
import type { SlippageBook } from './slippage-book';

export interface TwapPacerDeps {
  slices: Pick<OrderSliceRepository, 'update' | 'withStatus' | 'ofIntent' | 'plan'>;
  venue: Pick<OrderVenue, 'marketRules'>;
  slippageBook: SlippageBook;
  clock: Clock;
  config: Pick<
    OrdersConfig,
    'MAX_SLIPPAGE_BPS' | 'TWAP_SLIPPAGE_WAITS' | 'TWAP_DURATION_MS' | 'TWAP_SLICES' | 'CLIENT_ID_PREFIX'
  >;
  log: { warn(o: object, m: string): void };
}

/** A part-filled slice's rest as planned (`outcome`), and the writes that plan it, on the table given. */
export interface Shortfall {
  outcome: TwapShortfall;
  record(slices: Pick<OrderSliceRepository, 'update' | 'plan'>): Promise<void>;
}

/** What the slippage guard makes of a due slice: send it, let it wait, or cancel what is left of it. */
export type SliceGuard =
  | { kind: 'send' }
  | { kind: 'wait'; until: number }
  | { kind: 'cancel'; slices: OrderSlice[]; reason: 'slippage' | 'price_moved' | 'expired'; detail: string };

/**
 * Paces planned slices in the send loop: a TWAP found late is re-spaced rather than burst, an entry
 * slice is priced against the book at its send time, and a slice refused for its size is folded into
 * the next. The order manager publishes what comes of it.
 */
export class TwapPacer {
  constructor(private readonly deps: TwapPacerDeps) {}

  /** Re-spaces every TWAP more than one interval late; returns the planned slices as they now stand. */
  async respace(planned: readonly OrderSlice[], now: number): Promise<OrderSlice[]> {
    const moved = new Map<string, number>();
    for (const siblings of byIntent(planned).values())
      for (const s of respaceOverdue(siblings, now)) moved.set(s.clientOrderId, s.dueAt);
    await this.move(moved);
    if (moved.size > 0) this.deps.log.warn({ slices: [...moved.keys()] }, 'TWAP late: re-spaced from now');
    return planned.map((s) => ({ ...s, dueAt: moved.get(s.clientOrderId) ?? s.dueAt }));
  }

  /**
   * An entry market slice goes out only if the book then holds it within MAX_SLIPPAGE_BPS (exits always
   * go: an exit must leave). One that fails waits for the next slice's due time, its TWAP moving with
   * it; after TWAP_SLIPPAGE_WAITS waits it and the rest of its TWAP are cancelled. An entry slice due
   * after risk's approval expired (`expired`: risk no longer reserves its room), or one that would
   * average beyond MAX_SLIPPAGE_BPS from the touch its entry was accepted at (`price_moved`: risk sized
   * it on about that price), is cancelled with the rest of its TWAP at once.
   */
  async guard(slice: OrderSlice, planned: readonly OrderSlice[]): Promise<SliceGuard> {
    if (slice.reduceOnly) return { kind: 'send' };
    const rest = planned.filter((s) => s.intentId === slice.intentId && s.dueAt >= slice.dueAt);
    const late = approvalExpired(slice.expiresAt ?? undefined, this.deps.clock.now());
    if (late) return { kind: 'cancel', slices: rest, reason: 'expired', detail: late };
    if (slice.type !== 'market') return { kind: 'send' };
    const { why, moved } = await this.slippage(slice);
    if (moved) return { kind: 'cancel', slices: rest, reason: 'price_moved', detail: moved };
    if (why === null) return { kind: 'send' };
    const waits = slippageWaits(slice.detail) + 1;
    if (waits > this.deps.config.TWAP_SLIPPAGE_WAITS)
      return {
        kind: 'cancel',
        slices: rest,
        reason: 'slippage',
        detail: `slippage guard held it back ${waits - 1} times: ${why}`,
      };
    const deferred = deferSlices(rest, this.interval());
    await this.move(new Map(deferred.map((s) => [s.clientOrderId, s.dueAt])));
    const until = deferred.find((s) => s.clientOrderId === slice.clientOrderId)?.dueAt ?? slice.dueAt;
    await this.deps.slices.update(slice.clientOrderId, { detail: slippageWaitDetail(waits, why) });
    this.deps.log.warn(
      { clientOrderId: slice.clientOrderId, waits, until, why },
      'slice held back: slippage',
    );
    return { kind: 'wait', until };
  }

  /**
   * A TWAP slice the venue refused for its size: folded into the next planned slice, or (the last) sent
   * once more when it passes the filters at the touch now, or the TWAP ends. Undefined: not such a
   * refusal, or not a TWAP's slice, which is rejected as any order.
   */
  async refused(slice: OrderSlice, error: VenueError): Promise<TwapRefusal | undefined> {
    if (!isSizeRefusal(error.reason)) return undefined;
    const later = (await this.deps.slices.withStatus(['planned']))
      .filter((s) => s.intentId === slice.intentId && s.clientOrderId !== slice.clientOrderId)
      .sort((a, b) => a.dueAt - b.dueAt || a.slice - b.slice);
    const next = later[0];
    if (slice.slice === 0 && !next) return undefined;
    const outcome = afterSizeRefusal({
      refused: slice,
      next,
      failureNow: next ? null : await this.filterFailureNow(slice),
    });
    await this.apply(slice, error, outcome);
    return outcome;
  }

  private async apply(slice: OrderSlice, error: VenueError, outcome: TwapRefusal): Promise<void> {
    const { slices } = this.deps;
    if (outcome.action === 'fold') {
      // Recorded refused first: cut short after it, the quantity is left unfilled; the other way round
      // the slice, still `sending`, would be sent again at the restart and folded a second time.
      const detail = `${error.message}; its ${slice.qty} folded into ${outcome.into}`;
      await slices.update(slice.clientOrderId, { status: 'rejected', detail });
      await slices.update(outcome.into, { qty: outcome.qty });
      this.deps.log.warn({ clientOrderId: slice.clientOrderId, into: outcome.into }, 'refused slice folded');
    } else if (outcome.action === 'retry') {
      const detail = `${LAST_ATTEMPT}: ${error.message}`;
      await slices.update(slice.clientOrderId, { status: 'planned', dueAt: this.deps.clock.now(), detail });
    }
  }

  /**
   * A market exit the venue ended part-filled (`filledQty` of it, at `price`): a TWAP's slice, a direct
   * close or one of a close's chunks. Its rest is folded into its next slice or sent in catch-up slices
   * (core afterShortFill), so the position is closed whole where the book allows; a TWAP entry's is left
   * (risk freed its room). What comes of it, with the writes that plan it (`record`), which the caller
   * commits with the slice's end (VenueOrders.applyVenueOrder): recorded over without them, a crash
   * between the two lost the rest for good. Undefined: nothing left, a direct entry, or a flatten's close
   * (the kill confirms flat itself). Reads only.
   */
  async shortFilled(
    slice: OrderSlice,
    filledQty: number,
    price: number | null,
  ): Promise<Shortfall | undefined> {
    if (slice.type !== 'market' || filledQty >= slice.qty - 1e-12) return undefined;
    if (isFlattenIntent(slice.intentId)) return undefined;
    const siblings = (await this.deps.slices.ofIntent(slice.intentId)).filter(
      (s) => s.clientOrderId !== slice.clientOrderId,
    );
    // A direct entry part-filled is an order as asked: only an exit has a position left open by it.
    if (siblings.length === 0 && !slice.reduceOnly) return undefined;
    const later = siblings
      .filter((s) => s.status === 'planned')
      .sort((a, b) => a.dueAt - b.dueAt || a.slice - b.slice);
    const rules = await this.deps.venue.marketRules(slice.symbol);
    const at = price ?? 0;
    const outcome = afterShortFill({
      slice: { ...slice, filledQty },
      next: later[0],
      cap: marketOrderCap(rules, at),
      smallest: smallestOrderQty(rules, at),
      catchUps: siblings.filter((s) => s.slice >= CATCH_UP_FIRST_SLICE).length,
      chunks: (qty) => marketCloseChunks(qty, rules, at),
    });
    const catchUps = outcome.action === 'catch_up' ? this.catchUps(slice, siblings, later, outcome.qty) : [];
    return {
      outcome,
      record: async (slices) => {
        if (outcome.action === 'fold') await slices.update(outcome.into, { qty: outcome.qty });
        if (catchUps.length > 0) await slices.plan(catchUps);
      },
    };
  }

  /**
   * The catch-up slices, one of the TWAP's intervals after its last planned slice (or now). A plan with
   * no spacing of its own (a direct close, a close's chunks, all due at once) waits the configured TWAP
   * interval: sent at once, the rest would meet the same thin book that just left it.
   */
  private catchUps(
    slice: OrderSlice,
    siblings: readonly OrderSlice[],
    later: readonly OrderSlice[],
    qty: readonly number[],
  ): NewSlice[] {
    const first = Math.max(CATCH_UP_FIRST_SLICE, slice.slice + 1, ...siblings.map((s) => s.slice + 1));
    const spacing = ownInterval(slice, siblings) || this.interval();
    const from = Math.max(this.deps.clock.now(), ...later.map((s) => s.dueAt)) + spacing;
    return qty.map(
      (q, i): NewSlice => ({
        clientOrderId: clientOrderId(this.deps.config.CLIENT_ID_PREFIX, slice.intentId, first + i),
        intentId: slice.intentId,
        slice: first + i,
        strategy: slice.strategy,
        correlationId: slice.correlationId,
        exchange: slice.exchange,
        symbol: slice.symbol,
        side: slice.side,
        type: 'market',
        qty: q,
        price: null,
        reduceOnly: slice.reduceOnly,
        dueAt: from,
      }),
    );
  }

  /**
   * Why the slice would fail the slippage guard against the book now (`why`; null when it passes), and
   * whether what it averages there moved beyond MAX_SLIPPAGE_BPS from the touch its entry was accepted
   * at (`moved`, the detail; null when not, or no touch was kept).
   */
  private async slippage(slice: OrderSlice): Promise<{ why: string | null; moved: string | null }> {
    const maxBps = this.deps.config.MAX_SLIPPAGE_BPS;
    try {
      const { book } = await this.deps.slippageBook.forOrder(slice.symbol, slice.side, slice.qty);
      const check = checkSlippage(book, slice.side, slice.qty, maxBps);
      if (!check.ok) return { why: check.detail, moved: null };
      const { acceptedTouch } = slice;
      const drift = acceptedTouch
        ? checkDriftFromAccepted({ side: slice.side, acceptedTouch, avgPrice: check.avgPrice, maxBps })
        : { ok: true as const };
      return { why: null, moved: drift.ok ? null : drift.detail };
    } catch (err) {
      // Unpriced is not safe: the slice waits as if the book were too thin.
      return {
        why: `no book to price the slice: ${err instanceof Error ? err.message : String(err)}`,
        moved: null,
      };
    }
  }

  /** The venue filter the slice fails at the touch now; a book or rules that cannot be read count as failing. */
  private async filterFailureNow(slice: OrderSlice) {
    try {
      const rules = await this.deps.venue.marketRules(slice.symbol);
      const { book } = await this.deps.slippageBook.forOrder(slice.symbol, slice.side, slice.qty);
      const touch = bookTouch(book);
      const reference = (slice.side === 'buy' ? touch.bestAsk : touch.bestBid) ?? 0;
      return orderFilterFailure({ qty: slice.qty, price: slice.price }, rules, reference);
    } catch (err) {
      this.deps.log.warn({ err, clientOrderId: slice.clientOrderId }, 'refused slice not re-checked');
      return { filter: 'NOTIONAL' as const, reason: 'min_notional' as const, detail: 'not re-checked' };
    }
  }

  /** The configured plan's interval: how long a last slice, with none after it, waits. */
  private interval(): number {
    const { TWAP_DURATION_MS, TWAP_SLICES } = this.deps.config;
    return Math.round(TWAP_DURATION_MS / Math.max(1, TWAP_SLICES - 1));
  }

  private async move(dueAt: ReadonlyMap<string, number>): Promise<void> {
    for (const [clientOrderId, at] of dueAt) await this.deps.slices.update(clientOrderId, { dueAt: at });
  }
}

/** The TWAP's own spacing: the shortest gap between its slices' due times (its plan's interval). */
function ownInterval(slice: OrderSlice, siblings: readonly OrderSlice[]): number {
  const due = [slice, ...siblings].map((s) => s.dueAt).sort((a, b) => a - b);
  const gaps = due
    .slice(1)
    .map((d, i) => d - (due[i] ?? d))
    .filter((g) => g > 0);
  return gaps.length > 0 ? Math.min(...gaps) : 0;
}

function byIntent(planned: readonly OrderSlice[]): Map<string, PacedSlice[]> {
  const groups = new Map<string, PacedSlice[]>();
  for (const s of planned) groups.set(s.intentId, [...(groups.get(s.intentId) ?? []), s]);
  return groups;
}
