import type { Bus } from '@ballast/bus';
import {
  type Clock,
  type Fill,
  type OrderEvent,
  type OrderStatus,
  type RecordFill,
  Subjects,
  subject,
  symbolAssets,
} from '@ballast/contracts';
import {
  adjustmentKey,
  type Drift,
  derivedUuid,
  FLAT,
  isPositionDrift,
  type OwnerCandidate,
  ownerAtRepair,
  positionAdjustment,
  tradeKey,
  type VenueTrade,
} from '@ballast/core';
import {
  BotStateRepository,
  BotStateValue,
  type Database,
  type OrderSlice,
  type OrderSliceRepository,
  type SliceStatus,
} from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type AlertedOnce, alertedDrifts, alertKey, flaggedBalances } from './alerted-once';
import { foldPositions, ordersThatMayOwn } from './ledger-reader';
import { PendingAdjustments } from './pending-adjustments';

/** `superseded`: not written, our record changed after it was read; the next read measures it again. */
export type RepairOutcome = 'applied' | 'failed' | 'noted' | 'superseded';

export interface RepairDeps {
  bus: Bus;
  db: Kysely<Database>;
  venue: OrderVenue;
  slices: OrderSliceRepository;
  clock: Clock;
  /** How long a run waits for the orders service to record a fill it was asked to record. */
  fillWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

const POLL_MS = 50;
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Slices reconciliation records are never due: the order manager must not send them. */
const NEVER_DUE = Number.MAX_SAFE_INTEGER;

/**
 * Makes our records follow the venue, one drift at a time. Fills are keyed by the venue's trade id
 * and bus messages by derived ids, so a repair repeated after a crash changes nothing twice.
 *
 * Fills (missing ones and position adjustments) are not written here: the orders service is their one
 * writer and keeps the position tally, so they go to it as `record_fill` commands, and the repair
 * holds when the fill shows in our books. When the orders service does not answer in time the repair
 * fails (the venue stays unreconciled) and JetStream keeps the command for when it is back.
 */
export class Repairs {
  /** The run in which the orders service already failed to answer: later fills do not wait again. */
  private unanswered: string | undefined;
  private readonly pending: PendingAdjustments;
  private readonly flagged: AlertedOnce<number>;
  private readonly alerted: AlertedOnce<true>;
  /** The orphan stops (drift keys) the last run found (bot_state `recon.orphan-stops.<venue>`). */
  private readonly orphans: BotStateValue<string[]>;

  constructor(private readonly deps: RepairDeps) {
    const state = new BotStateRepository(deps.db, deps.clock);
    this.pending = new PendingAdjustments(state, deps.venue.id);
    this.flagged = flaggedBalances(state, deps.venue.id);
    this.alerted = alertedDrifts(state, deps.venue.id);
    this.orphans = new BotStateValue(state, `recon.orphan-stops.${deps.venue.id}`, z.array(z.string()), []);
  }

  /** Orphan stops a previous run found: only one found again may be cancelled (core's reconcile). */
  async orphanStopsSeen(): Promise<ReadonlySet<string>> {
    return new Set(await this.orphans.load());
  }

  /** A run's first read found these drifts: balance differences it no longer finds are settled. */
  async found(drifts: readonly Drift[]): Promise<void> {
    await this.flagged.keepOnly(new Set(drifts.flatMap((d) => (d.kind === 'balance' ? [d.asset] : []))));
    await this.alerted.keepOnly(new Set(drifts.map(alertKey)));
    const orphans = drifts.flatMap((d) => (d.kind === 'orphan_stop' ? [d.key] : []));
    const seen = await this.orphans.load();
    if (orphans.length !== seen.length || orphans.some((k) => !seen.includes(k)))
      await this.orphans.save(orphans);
  }

  /**
   * `counted`: the trades (`tradeKey`) in the books the drift was measured from (fills and adjustments),
   * with this run's missing fills, which the drift counts as ours.
   */
  async apply(drift: Drift, runId: string, counted: ReadonlySet<string>): Promise<RepairOutcome> {
    switch (drift.kind) {
      case 'missing_fill':
        return this.ingestFill(drift.trade, drift.clientOrderId, runId);
      case 'unknown_order':
        if (drift.action === 'adopt') return this.adopt(drift.order);
        if (drift.action === 'cancel') {
          await this.deps.venue.cancel(drift.symbol, drift.order.clientOrderId);
          return 'applied';
        }
        return 'applied';
      case 'orphan_stop':
        return this.orphanStop(drift);
      case 'order_state':
        if (drift.action === 'await_venue' || !drift.status) return 'noted';
        return this.setStatus(drift, drift.status);
      case 'position_qty':
        return this.setPosition(drift, runId, counted);
      case 'position_unexplained':
        await this.positionUnexplained(drift);
        return 'noted';
      case 'missing_stop':
        await this.alertOnce(drift, 'warning');
        return 'noted';
      case 'balance':
        await this.flagBalance(drift);
        return 'noted';
    }
  }

  /**
   * A balance that differs from our trades and fees beyond the tolerance cannot be repaired (nothing
   * of ours explains it); it is flagged and the run is `flagged`. A drop is money gone without an
   * explanation: a critical alert with the amount. A rise (a deposit) is a warning. Each difference is
   * alerted once, however many runs find it before the baseline follows the venue.
   */
  private async flagBalance(drift: Extract<Drift, { kind: 'balance' }>): Promise<void> {
    const difference = Number((drift.venue - drift.ours).toFixed(10));
    if (!(await this.flagged.isNew(drift.asset, difference))) return;
    if (difference > 0) await this.alert(drift, 'warning');
    else {
      const venue = this.deps.venue.id;
      // The same difference alerted again (a run whose remembering failed) is the same message.
      const id = derivedUuid('recon-balance-drop', venue, drift.asset, String(difference));
      const message = `${venue}: ${-difference} ${drift.asset} left the account unexplained by our trades and fees (expected ${drift.ours}, the venue holds ${drift.venue})`;
      await this.deps.bus.publish(
        subject(Subjects.alert, {}),
        {
          severity: 'critical',
          kind: 'recon_balance_drop',
          message,
          labels: { service: 'reconciliation', exchange: venue, asset: drift.asset },
        },
        { id },
      );
    }
    await this.flagged.remember(drift.asset, difference);
  }

  /** A position no repair may set (the venue's figure is not ours to book): a critical alert, once per drift. */
  private async positionUnexplained(drift: Extract<Drift, { kind: 'position_unexplained' }>): Promise<void> {
    await this.alertOnce(drift, 'critical', { kind: `recon_${drift.reason}` });
  }

  /**
   * A stop of ours no stop record names, still so after the records were read again: cancelled when
   * core found it can protect nothing, else left to the operator. Loud either way, a failed cancel too
   * (tried again next run).
   */
  private async orphanStop(drift: Extract<Drift, { kind: 'orphan_stop' }>): Promise<RepairOutcome> {
    if (drift.action === 'flag') {
      await this.alertOnce(drift, 'critical');
      return 'noted';
    }
    const failure = await this.deps.venue.cancel(drift.symbol, drift.order.clientOrderId).then(
      () => undefined,
      (err: unknown) => err,
    );
    await this.alertOnce(
      drift,
      'critical',
      failure ? { note: 'the cancel failed; tried again next run' } : {},
    );
    if (!failure) return 'applied';
    this.deps.log.error({ err: failure, key: drift.key }, 'orphan stop not cancelled');
    return 'failed';
  }

  private async adopt(order: {
    clientOrderId: string;
    venueOrderId: string;
    symbol: string;
    side: 'buy' | 'sell';
    qty: number;
    price: number | null;
  }): Promise<RepairOutcome> {
    // One insert: a crash cannot leave it planned (never sent, never followed), and one the orders
    // service recorded after our books were read (sent meanwhile, maybe filled) is left as it recorded it.
    await this.deps.slices.recordFound(
      {
        clientOrderId: order.clientOrderId,
        intentId: `recon:adopted:${order.clientOrderId}`,
        slice: 0,
        strategy: null,
        correlationId: null,
        exchange: this.deps.venue.id,
        symbol: order.symbol,
        side: order.side,
        type: order.price === null ? 'market' : 'limit',
        qty: order.qty,
        price: order.price,
        reduceOnly: false,
        dueAt: NEVER_DUE,
      },
      { status: 'open', venueOrderId: order.venueOrderId, detail: 'recorded by reconciliation' },
    );
    return 'applied';
  }

  /**
   * Asks the orders service to record a venue trade under its order (or as an external one). A trade
   * in any order's fills (recorded since our books were read) needs nothing: the orders service books
   * a trade under one order only.
   */
  private async ingestFill(trade: VenueTrade, owner: string | null, runId: string): Promise<RepairOutcome> {
    const { slices, venue } = this.deps;
    if (await slices.holderOfTrade(venue.id, trade.symbol, trade.tradeId)) return 'applied';
    const external = externalOrder(trade);
    const now = owner === null ? ownerAtRepair(trade, await this.ownerCandidates(trade)) : { owner };
    if ('unresolved' in now) {
      this.deps.log.warn(
        { tradeId: trade.tradeId, symbol: trade.symbol, sending: now.unresolved },
        'trade may be our order still sending, which the venue does not know yet: read again next run',
      );
      return 'failed';
    }
    const clientOrderId = now.owner ?? external.clientOrderId;
    const slice = await slices.get(clientOrderId);
    return this.recordFill(
      {
        kind: 'record_fill',
        origin: 'venue_trade',
        clientOrderId,
        intentId: slice?.intentId ?? external.intentId,
        venueOrderId: trade.venueOrderId,
        exchange: this.deps.venue.id,
        symbol: trade.symbol,
        side: trade.side,
        fill: {
          tradeId: trade.tradeId,
          price: trade.price,
          qty: trade.qty,
          fee: trade.fee,
          feeAsset: trade.feeAsset,
          liquidity: trade.liquidity,
          time: trade.time,
        },
      },
      runId,
    );
  }

  /**
   * Our orders that may own a trade this run's read found no owner for, read from our books now (core's
   * ownerAtRepair judges). Our books are read before the venue, so an order sent in between (a direct
   * order recorded as it came in, a TWAP slice then still planned) can fill before the venue's trades
   * are read: filed as external, its trade would be recorded a second time beside the order's own fill.
   * One still `sending` (the venue's answer not recorded yet) is asked for by client id. A lookup that
   * fails fails the repair: the trade is read again next run, never guessed external.
   */
  private async ownerCandidates(trade: VenueTrade): Promise<OwnerCandidate[]> {
    const candidates = await ordersThatMayOwn(this.deps.db, this.deps.venue.id, trade);
    if (candidates.some((c) => c.venueOrderId === trade.venueOrderId)) return candidates;
    const out: OwnerCandidate[] = [];
    for (const c of candidates) {
      const seen = await this.deps.venue.fetchByClientId(trade.symbol, c.clientOrderId);
      out.push({ ...c, seenVenueOrderId: seen?.venueOrderId ?? null });
    }
    return out;
  }

  /** Publishes the command (its id derived from the trade) and waits for the fill in our books. */
  private async recordFill(command: RecordFill, runId: string): Promise<RepairOutcome> {
    await this.deps.bus.publish(subject(Subjects.orderCommand, {}), command, {
      id: derivedUuid('recon-fill', command.clientOrderId, command.fill.tradeId),
    });
    if (await this.recorded(command, runId)) return 'applied';
    this.deps.log.warn(
      { clientOrderId: command.clientOrderId, tradeId: command.fill.tradeId },
      'the orders service has not recorded the fill yet',
    );
    return 'failed';
  }

  private async recorded(command: RecordFill, runId: string): Promise<boolean> {
    const { fillWaitMs, slices } = this.deps;
    const sleep = this.deps.sleep ?? realSleep;
    const polls = this.unanswered === runId ? 1 : Math.max(1, Math.ceil(fillWaitMs / POLL_MS));
    for (let i = 0; i < polls; i++) {
      const slice = await slices.get(command.clientOrderId);
      if ((slice?.fills as Fill[] | undefined)?.some((f) => f.tradeId === command.fill.tradeId)) return true;
      if (i + 1 < polls) await sleep(POLL_MS);
    }
    this.unanswered = runId;
    return false;
  }

  /**
   * Our order's status set to the venue's, only while our record is what the drift was measured from
   * (compare-and-set): the orders service writes the same record in its own turns and may have
   * recorded the venue's answer or a fill since our read. Overwriting that would move a filled order
   * back to open and publish its events out of order; lost to it, the correction is `superseded` and
   * the next pass reads both sides again. Fills recorded by this run's repairs (up to the venue's
   * filled quantity) are expected and do not count as a change.
   */
  private async setStatus(
    drift: Extract<Drift, { kind: 'order_state' }>,
    status: SliceStatus,
  ): Promise<RepairOutcome> {
    const { clientOrderId } = drift;
    const venueOrderId = drift.venue?.venueOrderId ?? null;
    const expected = {
      status: drift.ours,
      maxFilledQty: Math.max(drift.oursFilledQty, drift.venue?.filledQty ?? 0),
    };
    const slice = await this.deps.slices.updateIf(clientOrderId, expected, {
      status,
      ...(venueOrderId ? { venueOrderId } : {}),
      detail: `reconciliation: the venue reports ${status}`,
    });
    if (!slice) {
      const now = await this.deps.slices.get(clientOrderId);
      if (!now) return 'failed';
      this.deps.log.warn(
        { clientOrderId, read: expected, now: { status: now.status, filledQty: now.filledQty }, to: status },
        'order changed since it was read; status correction not written',
      );
      return 'superseded';
    }
    const event: OrderStatus =
      status === 'open' ? (slice.filledQty > 0 ? 'partially_filled' : 'accepted') : toEventStatus(status);
    await this.publishOrder(slice, event, {
      filledQty: slice.filledQty,
      avgPrice: slice.avgPrice,
      fill: null,
      venueOrderId: slice.venueOrderId,
    });
    return 'applied';
  }

  /**
   * A position that differs after every fill: an adjusting fill at our entry (or the book's mid when
   * we hold nothing) brings our fold to the venue's quantity. Loud: a critical alert says so. An
   * adjustment asked for earlier that is not in the books this difference was measured from is still
   * on its way to the orders service (lagging, or down): it is asked for again under its own id, and
   * no other is asked for beside it, since both would apply once it catches up. The next difference
   * is measured with it counted. The adjustment is a whole number of the market's lot steps, as any
   * quantity the venue holds; a difference of one step or less is rounding, not corrected.
   */
  private async setPosition(
    drift: Extract<Drift, { kind: 'position_qty' }>,
    runId: string,
    counted: ReadonlySet<string>,
  ): Promise<RepairOutcome> {
    const { symbol } = drift;
    const pending = await this.pending.get(symbol);
    if (pending && !counted.has(tradeKey(symbol, pending.fill.tradeId))) return this.adjust(pending, runId);
    const { stepSize } = await this.deps.venue.marketRules(symbol);
    const difference = drift.venue - drift.ours;
    if (!isPositionDrift(difference, stepSize)) {
      this.deps.log.warn(
        { symbol, difference, stepSize },
        'position difference within one lot step: not corrected',
      );
      return 'noted';
    }
    const qty = positionAdjustment(difference, stepSize);
    const diff = difference > 0 ? qty : -qty;
    const slices = await this.deps.slices.ofVenue(this.deps.venue.id, symbol);
    // A fill booked since the books were measured (another reconciler's adjustment, an order's fill)
    // may already settle the difference: measured again next pass or run, never adjusted twice.
    const unmeasured = slices.flatMap((s) =>
      (s.fills as Fill[]).filter((f) => !counted.has(tradeKey(symbol, f.tradeId))).map((f) => f.tradeId),
    );
    if (unmeasured.length > 0) {
      this.deps.log.warn(
        { symbol, unmeasured },
        'fills booked since the position was measured; not adjusted',
      );
      return 'superseded';
    }
    const before = foldPositions(slices).get(symbol) ?? FLAT;
    // From the measured books only: reconcilers that measured the same books ask for the same fill.
    const fills = [...counted].filter((k) => k.startsWith(tradeKey(symbol, ''))).length;
    const key = adjustmentKey({ venue: this.deps.venue.id, symbol, before: drift.ours, diff, fills });
    const price = before.avgEntry > 0 ? before.avgEntry : await this.mid(symbol);
    const quote = symbolAssets(symbol).quote || 'USDT';
    const command: RecordFill = {
      kind: 'record_fill',
      origin: 'adjustment',
      clientOrderId: `recon-adj-${key}`,
      intentId: `recon:adjust:${key}`,
      venueOrderId: null,
      exchange: this.deps.venue.id,
      symbol,
      side: diff > 0 ? 'buy' : 'sell',
      fill: {
        tradeId: `recon-adj:${key}`,
        price,
        qty,
        fee: 0,
        feeAsset: quote,
        liquidity: 'taker',
        time: this.deps.clock.now(),
      },
    };
    // Remembered before it is published: a crash in between asks for this one again, not a new one.
    await this.pending.remember(command);
    const outcome = await this.adjust(command, runId);
    const done =
      outcome === 'applied'
        ? "set to the venue's"
        : "an adjustment to the venue's is asked of the orders service, not recorded yet (asked again next run)";
    await this.deps.bus.publish(
      subject(Subjects.alert, {}),
      {
        severity: 'critical',
        kind: 'recon_position_set',
        message: `${this.deps.venue.id} ${symbol}: our position was off by ${diff}; ${done}`,
        labels: { service: 'reconciliation', exchange: this.deps.venue.id, symbol },
      },
      { id: derivedUuid('recon-position-set', key) },
    );
    return outcome;
  }

  private async adjust(command: RecordFill, runId: string): Promise<RepairOutcome> {
    const outcome = await this.recordFill(command, runId);
    if (outcome === 'applied') await this.pending.forget(command.symbol);
    return outcome;
  }

  private async mid(symbol: string): Promise<number> {
    const book = await this.deps.venue.orderBook(symbol);
    const bid = book.bids[0]?.[0];
    const ask = book.asks[0]?.[0];
    if (bid === undefined || ask === undefined) throw new Error(`${symbol}: no book to price an adjustment`);
    return (bid + ask) / 2;
  }

  private async publishOrder(
    slice: OrderSlice,
    status: OrderStatus,
    s: { filledQty: number; avgPrice: number | null; fill: Fill | null; venueOrderId: string | null },
  ): Promise<void> {
    const event: OrderEvent = {
      status,
      intentId: slice.intentId,
      clientOrderId: slice.clientOrderId,
      venueOrderId: s.venueOrderId,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: slice.side,
      type: slice.type,
      qty: slice.qty,
      filledQty: s.filledQty,
      avgPrice: s.avgPrice,
      fill: s.fill,
      reason: null,
      detail: 'reconciliation',
    };
    // The order manager's id for the same event: whichever of us publishes it first, it counts once.
    const id = derivedUuid('ord', `${slice.clientOrderId}|${status}|${s.fill?.tradeId ?? ''}`, status);
    await this.deps.bus.publish(subject(Subjects.orderEvent, {}), event, { id });
  }

  /** A drift that persists run after run is alerted on once per action, while it persists. */
  private async alertOnce(
    drift: Drift,
    severity: 'warning' | 'critical',
    say: AlertWording = {},
  ): Promise<void> {
    const key = alertKey(drift);
    if (!(await this.alerted.isNew(key, true))) return;
    await this.alert(drift, severity, say);
    await this.alerted.remember(key, true);
  }

  private async alert(drift: Drift, severity: 'warning' | 'critical', say: AlertWording = {}): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity,
      kind: say.kind ?? `recon_${drift.kind}`,
      message: `${this.deps.venue.id}: ${drift.evidence}${say.note ? ` (${say.note})` : ''}`,
      labels: {
        service: 'reconciliation',
        exchange: this.deps.venue.id,
        ...(drift.symbol ? { symbol: drift.symbol } : {}),
      },
    });
  }
}

/** An alert's kind when not `recon_<drift kind>`, and a note after the drift's evidence. */
type AlertWording = { kind?: string; note?: string };

/**
 * How a venue order that is not ours is recorded: per market, since Binance numbers orders per market
 * (ETH-USDT's order 5 and BTC-USDT's order 5 are two orders; under one name the orders service would add
 * one's fills to the other's record). Records named before by the venue order id alone (`ext-5`) keep
 * their name: they carry their market and venue order id, by which their later trades find them.
 */
export function externalOrder(trade: { symbol: string; venueOrderId: string }): {
  clientOrderId: string;
  intentId: string;
} {
  return {
    clientOrderId: `ext-${trade.symbol}-${trade.venueOrderId}`,
    intentId: `recon:external:${trade.symbol}:${trade.venueOrderId}`,
  };
}

function toEventStatus(status: SliceStatus): OrderStatus {
  if (status === 'filled' || status === 'cancelled' || status === 'rejected') return status;
  return 'accepted';
}
