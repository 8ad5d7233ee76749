import type { Envelope, OrderEvent, OrderIntent, PositionEvent, RiskDecision } from '@ballast/contracts';
import {
  addedEntry,
  addsTo,
  adoptedOpeningStop,
  decisionRoute,
  entryOrderSeen,
  entryRefused,
  type MarketRules,
  type Opening,
  planStop,
} from '@ballast/core';
import type { Closes } from './closes';
import { market, PendingIntents } from './pending-intents';
import { retryDelayMs } from './retry-delay';
import { type StopContext, StopPart, type StopRecordStore } from './stop-context';
import type { StopPlacement } from './stop-placement';
import { openedRecord, type StopRecord, unplannedPosition, unplannedRecord, wantedStop } from './stop-record';
import type { Trailing } from './trailing';

/** How long an approved intent waits for its fill when the config does not say. */
const DEFAULT_PENDING_INTENT_MAX_AGE_MS = 6 * 60 * 60 * 1000;
/** Ids a record awaits as adds: more than a position ever has in flight. */
const MAX_AWAITED_ADDS = 20;

/**
 * Entries and their protection: the approved intents that wait for their fills (stored, reloaded on
 * start), the first stop of each opened position from the intent that opened it (or the fallback
 * stop), the intent's stop and ladder adopted when its decision is read after the fill, and adds.
 */
export class Entries extends StopPart {
  /** Approved intents no position has used yet (stored, reloaded on start): each protects the entry it opens, once. */
  private intents = new PendingIntents();

  constructor(
    ctx: StopContext,
    private readonly closes: Closes,
    private readonly placement: StopPlacement,
    private readonly trailing: Trailing,
  ) {
    super(ctx);
  }

  /** Reloads the stored pending intents (on start). */
  async load(): Promise<void> {
    this.intents = new PendingIntents(await this.deps.pending.load());
  }

  /** True while an approved intent for this market waits for its position (tests wait on it). */
  hasIntent(marketKey: string, intentId?: string): boolean {
    return this.intents.has(marketKey, intentId);
  }

  /**
   * Keeps the intent for the entry it opens. Decisions and positions travel on different streams,
   * so a position may open before its decision is read: then the fallback stop protects it and the
   * intent's stop and take-profits are adopted when the decision arrives (and the intent is used up).
   */
  async onDecision(message: Envelope<RiskDecision>): Promise<void> {
    const decision = message.payload;
    if (!decision.approved || decision.intent.exchange !== this.deps.venue.id) return;
    const { intent } = decision;
    const record = this.ctx.records.get(market(intent.exchange, intent.symbol));
    const route = decisionRoute(record, intent, message.correlationId);
    if (record && route === 'add') {
      record.awaitingAdds = record.awaitingAdds.filter((id) => id !== intent.intentId);
      await this.adopt(record, intent, wantedStop(record).qty, 'its decision read after its fill');
      return;
    }
    if (!record || route === 'pending') {
      this.intents.add(intent, message.correlationId, this.deps.clock.now());
      await this.saveIntents();
      return;
    }
    await this.adoptOpening(record, intent);
  }

  /**
   * The opening's intent, read after its fill: its stop (when it plans one other than the one in
   * place) and its ladder become the position's, which awaits no intent any more.
   */
  private async adoptOpening(record: StopRecord, intent: OrderIntent): Promise<void> {
    const rules = await this.deps.venue.marketRules(record.symbol);
    // A move still pending (its old stop's cancel failed) is what the intent's stop adjusts.
    const wanted = wantedStop(record);
    const planned = (intentStop: number | null) =>
      planStop({
        positionSide: record.side,
        positionQty: wanted.qty,
        avgEntry: record.entry,
        intentStop,
        fallbackPct: this.deps.config.FALLBACK_STOP_PCT,
        stepSize: rules.stepSize,
        tickSize: rules.tickSize,
      });
    const plan = planned(intent.stop);
    const fallback = planned(null);
    // Adopted only once persisted: a failure leaves it awaiting, so the redelivered decision adopts it.
    const before = {
      awaiting: record.awaiting,
      intentId: record.intentId,
      ladder: record.ladder,
      awaitingAdds: record.awaitingAdds,
    };
    Object.assign(record, {
      awaiting: null,
      intentId: intent.intentId,
      ladder: { levels: intent.takeProfits, taken: 0 },
      // Its slices' growths, read before it, named it: it is the opening, not an add to await.
      awaitingAdds: record.awaitingAdds.filter((id) => id !== intent.intentId),
    });
    try {
      // Once the fallback stop trailed, the intent's stop may only tighten it.
      const stopPrice = plan.ok
        ? adoptedOpeningStop(
            record.side,
            wanted.stopPrice,
            fallback.ok ? fallback.stopPrice : null,
            plan.stopPrice,
          )
        : wanted.stopPrice;
      // A move deferred by a failed cancel is stored with the ladder (replace saves the record).
      if (stopPrice !== wanted.stopPrice)
        await this.placement.replace(record, stopPrice, wanted.qty, `intent ${intent.intentId} stop adopted`);
      else await this.ctx.save(record);
    } catch (err) {
      Object.assign(record, before);
      throw err;
    }
  }

  /**
   * The pending intent of an add whose fill grew the position; null for a slice of the opening, a fill
   * no intent names, or an add whose decision is not read yet (then it is awaited, see onDecision).
   */
  addOf(record: StopRecord, intentId: string | null): OrderIntent | null {
    if (intentId === null || intentId === record.intentId) return null;
    const pending = this.intents.get(intentId);
    if (!pending) {
      if (!record.awaitingAdds.includes(intentId))
        record.awaitingAdds = [...record.awaitingAdds, intentId].slice(-MAX_AWAITED_ADDS);
      return null;
    }
    return addsTo(record, pending.intent) ? pending.intent : null;
  }

  /**
   * The stop and ladder after `add` filled (core addedEntry; none: as they are), placed for `qty`. The
   * add's intent is used up only once that is done: a failure leaves it for the redelivery.
   */
  async adopt(record: StopRecord, add: OrderIntent | null, qty: number, why: string): Promise<void> {
    const { tickSize } = await this.deps.venue.marketRules(record.symbol);
    // From the stop the record wants: a move still pending is moved on, not undone.
    const wanted = wantedStop(record);
    const { stopPrice, ladder } = add
      ? addedEntry({
          side: record.side,
          currentStop: wanted.stopPrice,
          ladder: record.ladder,
          intent: add,
          tickSize,
        })
      : { stopPrice: wanted.stopPrice, ladder: record.ladder };
    record.ladder = ladder;
    if (stopPrice === wanted.stopPrice && qty === wanted.qty) await this.ctx.save(record);
    else await this.placement.replace(record, stopPrice, qty, add ? `add ${add.intentId}: ${why}` : why);
    if (add) await this.dropIntent(add.intentId);
  }

  /**
   * First stop for a newly opened position, from the intent that opened it when that was read. The
   * position counts (unprotected) before anything that can fail is read: when the market rules or the
   * slot's last record stay unreadable it waits in `unplanned`, alerted once, and the periodic check
   * and its next position event try again; it is not left to the redelivery of its event.
   */
  async protect(position: PositionEvent, correlationId: string): Promise<void> {
    const waiting = this.ctx.unplanned.get(position.positionId);
    const unplanned = {
      position,
      correlationId,
      alerted: waiting?.alerted ?? false,
      stub: waiting?.stub ?? null,
    };
    this.ctx.unplanned.set(position.positionId, unplanned);
    this.ctx.updateCoverage();
    const inputs = await this.planInputs(position);
    if (!inputs.ok) {
      await this.storeUnplanned(unplanned, inputs.lastSeq);
      await this.notPlanned(position, inputs.error);
      return;
    }
    const { rules, previous } = inputs;
    const opening: Opening = { strategy: position.strategy, side: position.side, correlationId };
    const usable = this.intents.find(market(position.exchange, position.symbol), opening);
    const plan = planStop({
      positionSide: position.side,
      positionQty: position.qty,
      avgEntry: position.avgEntry,
      intentStop: usable?.stop ?? null,
      fallbackPct: this.deps.config.FALLBACK_STOP_PCT,
      stepSize: rules.stepSize,
      tickSize: rules.tickSize,
    });
    // A position id names the symbol's position slot and every later position on it reuses it; the
    // ids derived from (position id, seq) must not repeat, or the venue refuses the new stop as a
    // duplicate and the orders service drops the closes as already sent. So seq carries on from
    // the slot's last record.
    const seq = (previous?.state.seq ?? 0) + 1;
    const record = openedRecord({ position, correlationId, plan, intent: usable, seq });
    // The record (the intent's stop and ladder, no stop yet) is stored before the intent is used up:
    // after a crash from here on, start finds it and places its stop, and never plans the position
    // again without its intent (the fallback stop, no take-profits). Unstored, the intent is used up
    // only once the placement has stored the record.
    const stored = await this.storeOpened(record);
    if (usable && stored) await this.useUp(usable.intentId);
    this.ctx.unplanned.delete(position.positionId);
    this.ctx.records.set(record.positionId, record);
    if (!plan.ok) await this.closes.failAndFlatten(record, `no stop could be planned: ${plan.detail}`);
    else if (await this.placement.place(record, 'entry fill')) await this.trailing.warmAtr(record.symbol);
    if (usable && !stored) await this.useUp(usable.intentId);
  }

  /** Stores a new position's record before its stop is placed; whether it was stored (a failure is logged). */
  private async storeOpened(record: StopRecord): Promise<boolean> {
    try {
      await this.ctx.save(record);
      return true;
    } catch (err) {
      this.deps.log.warn({ positionId: record.positionId, error: String(err) }, 'new record not stored yet');
      return false;
    }
  }

  /** Forgets an intent its position used up: a failed write leaves it to expire by age. */
  private async useUp(intentId: string): Promise<void> {
    await this.dropIntent(intentId).catch((err: unknown) =>
      this.deps.log.warn({ intentId, error: String(err) }, 'used intent not forgotten'),
    );
  }

  /**
   * Positions still waiting for their stop to be planned (all, or the one named): tried again (start,
   * the periodic check, reconciliation's report of a missing stop).
   */
  async retryUnplanned(positionId?: string): Promise<void> {
    for (const { position, correlationId } of [...this.ctx.unplanned.values()])
      if (positionId === undefined || position.positionId === positionId)
        await this.protect(position, correlationId);
  }

  /** A stored stub (on start): its position waits for its stop to be planned, as before the restart. */
  reloadUnplanned(stub: StopRecord & { unplanned: { correlationId: string } }): void {
    this.ctx.unplanned.set(stub.positionId, {
      position: unplannedPosition(stub),
      correlationId: stub.unplanned.correlationId,
      alerted: false,
      stub,
    });
  }

  /** A position closed before its stop could be planned: its stub, if stored, is closed too. */
  async forgetUnplanned(positionId: string): Promise<void> {
    const waiting = this.ctx.unplanned.get(positionId);
    if (!waiting) return;
    if (waiting.stub) await this.deps.store.save(waiting.stub, 'closed', waiting.stub);
    this.ctx.unplanned.delete(positionId);
    this.ctx.updateCoverage();
  }

  /**
   * Stores the stub of a position whose stop could not be planned, so a restart (and reconciliation,
   * which reads the stored records) still finds it. Not when the slot's last record could not be read
   * (`lastSeq` null): its seq is unknown and must not be overwritten; the position waits in memory.
   */
  private async storeUnplanned(
    waiting: { position: PositionEvent; correlationId: string; stub: StopRecord | null },
    lastSeq: number | null,
  ): Promise<void> {
    const { position, correlationId, stub } = waiting;
    if (lastSeq === null) return;
    if (stub && stub.qty === position.qty && stub.entry === position.avgEntry) return;
    const next = unplannedRecord(position, correlationId, lastSeq);
    try {
      await this.deps.store.save(next, 'active', next);
      waiting.stub = next;
    } catch (err) {
      this.deps.log.warn(
        { positionId: position.positionId, error: String(err) },
        'unplanned position not stored',
      );
    }
  }

  /**
   * What a stop's plan reads, with PLACE_ATTEMPTS tries spaced as placements are. A failure says the
   * slot's last seq when its record was read (0: it has none), null when that too failed.
   */
  private async planInputs(
    position: PositionEvent,
  ): Promise<
    | { ok: true; rules: MarketRules; previous: Awaited<ReturnType<StopRecordStore['get']>> }
    | { ok: false; error: string; lastSeq: number | null }
  > {
    const { config } = this.deps;
    let error = '';
    let previous: { row: Awaited<ReturnType<StopRecordStore['get']>> } | undefined;
    for (let attempt = 1; attempt <= config.PLACE_ATTEMPTS; attempt++) {
      try {
        previous ??= { row: await this.slotRow(position.positionId) };
        const rules = await this.deps.venue.marketRules(position.symbol);
        return { ok: true, rules, previous: previous.row };
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        if (attempt < config.PLACE_ATTEMPTS)
          await this.deps.sleep(retryDelayMs(config.RETRY_BASE_MS, attempt));
      }
    }
    return { ok: false, error, lastSeq: previous ? (previous.row?.state.seq ?? 0) : null };
  }

  /**
   * The slot's last row, which this position's record (or stub) takes: a leftover stop stored there
   * first moves to a row of its own, so it is not forgotten.
   */
  private async slotRow(positionId: string): Promise<Awaited<ReturnType<StopRecordStore['get']>>> {
    const row = await this.deps.store.get(positionId);
    await this.placement.keepLeftover(row);
    return row;
  }

  /** The position stays unprotected for now: said once, loudly; the coverage gauge shows it meanwhile. */
  private async notPlanned(position: PositionEvent, error: string): Promise<void> {
    const waiting = this.ctx.unplanned.get(position.positionId);
    this.deps.log.error({ positionId: position.positionId, error }, 'stop not planned: position unprotected');
    if (!waiting || waiting.alerted) return;
    await this.ctx.alert(
      position,
      'stop_not_planned',
      `${position.symbol} ${position.side} ${position.qty} opened without a stop: ${error}; retried at each check`,
    );
    waiting.alerted = true;
  }

  /**
   * An order of an entry whose intent waits here. The intent is forgotten once the entry is over with
   * nothing filled: its one order refused, or every TWAP slice refused or cancelled (the kill announces
   * those it keeps from the venue cancelled). A slice refused while another filled, or is still to be
   * sent, leaves the intent for the position they open. What the orders came to is stored with it, so
   * a restart between two slices' refusals keeps the first.
   */
  async onEntryOrder(intentId: string, order: OrderEvent): Promise<void> {
    const pending = this.intents.get(intentId);
    if (!pending) return;
    const orders = entryOrderSeen(pending.orders, order);
    if (orders === pending.orders) return;
    if (!orders.filled) {
      const { stepSize } = await this.deps.venue.marketRules(order.symbol);
      if (entryRefused(orders, { qty: pending.intent.qty, stepSize })) {
        await this.dropIntent(intentId);
        return;
      }
    }
    const next = { ...pending, orders };
    await this.deps.pending.save(this.intents.with(next));
    this.intents.update(next);
  }

  /** Persists the pending intents, first dropping those older than the configured bound. */
  private async saveIntents(): Promise<void> {
    const maxAge = this.deps.config.PENDING_INTENT_MAX_AGE_MS ?? DEFAULT_PENDING_INTENT_MAX_AGE_MS;
    this.intents.expire(this.deps.clock.now() - maxAge);
    await this.deps.pending.save(this.intents.list());
  }

  /** Forgets a used or refused intent once stored without it: a failed write leaves it for the redelivery. */
  private async dropIntent(intentId: string): Promise<void> {
    const pending = this.intents.list();
    if (!pending.some((p) => p.intent.intentId === intentId)) return;
    await this.deps.pending.save(pending.filter((p) => p.intent.intentId !== intentId));
    this.intents.remove(intentId);
  }
}
