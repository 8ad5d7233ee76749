import type { Bus } from '@ballast/bus';
import { type Clock, type PositionEvent, type StopEvent, Subjects, subject } from '@ballast/contracts';
import { coverageRatio, stopCovers } from '@ballast/core';
import type { ProtectiveStopRepository } from '@ballast/db';
import type { StopOrder, StopVenue } from '@ballast/exchange';
import type { StopsConfig } from './config';
import type { FlattenHoldStore } from './flatten-hold-store';
import type { PendingIntentStore } from './pending-intent-store';
import type { RecentBars } from './recent-bars';
import type { StopMetrics } from './stop-metrics';
import type { StopRecord } from './stop-record';

export interface StopLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where stop records are kept: the protective_stops table, or memory in a run that never restarts. */
export type StopRecordStore = Pick<ProtectiveStopRepository<StopRecord>, 'save' | 'get' | 'active'>;

export interface StopManagerDeps {
  bus: Bus;
  venue: StopVenue;
  store: StopRecordStore;
  pending: PendingIntentStore;
  /** Where a kill's flatten hold is kept while it runs (FlattenHold). */
  holds: FlattenHoldStore;
  /** Stored TRAIL_TIMEFRAME bars, from which a symbol's trailing ATR warms up. */
  recentBars: RecentBars;
  metrics: StopMetrics;
  clock: Clock;
  config: StopsConfig;
  log: StopLog;
  sleep: (ms: number) => Promise<void>;
}

/** What a cancel came to: the venue's word on the stop after it, or a failure (the stop may still rest). */
export type CancelResult = { failed: false; stop: StopOrder | undefined } | { failed: true };

/** The name the stops service signs its alerts and acknowledgements with. */
export const SERVICE = 'stops';

/**
 * What the stop manager's parts share: the deps, the records of the open positions, and the few effects
 * every part has (store a record, announce it, alert, ask reconciliation, update the coverage gauge).
 * The parts run inside the manager's one serial chain, so none of them locks a record.
 */
export class StopContext {
  /** Every open position's record, by position id. */
  readonly records = new Map<string, StopRecord>();
  /**
   * Positions opened whose stop could not be planned yet (market rules or the slot's last record
   * unreadable): no record in force, no stop, counted unprotected; protection is retried
   * (Entries.protect). `stub` is what is stored of it (a record `unplanned`), so a restart reloads it
   * here; null while nothing could be stored.
   */
  readonly unplanned = new Map<
    string,
    { position: PositionEvent; correlationId: string; alerted: boolean; stub: StopRecord | null }
  >();

  constructor(readonly deps: StopManagerDeps) {}

  /** Stores the record as active: a restart reloads it. */
  async save(record: StopRecord): Promise<void> {
    await this.deps.store.save(record, 'active', record);
  }

  /** Announces what happened to a position's stop (`stop.event`), its detail capped for the schema. */
  async publish(record: StopRecord, kind: StopEvent['kind'], detail: string): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.stopEvent, {}), {
      kind,
      positionId: record.positionId,
      exchange: record.exchange,
      symbol: record.symbol,
      stopPrice: record.stopPrice,
      qty: record.qty,
      clientOrderId: record.clientOrderId,
      detail: detail.slice(0, 500),
    });
  }

  /** Tells the operator (`alert`): critical unless said otherwise. */
  async alert(
    record: Pick<StopRecord, 'exchange' | 'symbol' | 'positionId'>,
    kind: string,
    message: string,
    severity: 'warning' | 'critical' = 'critical',
  ): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity,
      kind,
      message: message.slice(0, 1000),
      labels: {
        service: SERVICE,
        exchange: record.exchange,
        symbol: record.symbol,
        positionId: record.positionId,
      },
    });
  }

  /** Asks reconciliation to read the venue now rather than at its next round. */
  async requestRecon(record: StopRecord, why: string): Promise<void> {
    this.deps.log.info({ positionId: record.positionId, why }, 'reconciliation requested');
    await this.deps.bus.publish(subject(Subjects.reconRequest, {}), {
      venue: record.exchange,
      requestedBy: `stops: ${why}`.slice(0, 300),
    });
  }

  /**
   * Open positions and how many have a stop verified on the venue covering all of them (core
   * stopCovers), as the coverage gauge shows.
   */
  coverage(): { openPositions: number; protectedPositions: number } {
    const open = [...this.records.values()].filter((r) => r.qty > 0);
    return {
      openPositions: open.length + this.unplanned.size,
      protectedPositions: open.filter(stopCovers).length,
    };
  }

  /** Sets the coverage gauge from the records: every change of a stop's verified state calls it. */
  updateCoverage(): void {
    const { openPositions, protectedPositions } = this.coverage();
    this.deps.metrics.coverage.set(coverageRatio(openPositions, protectedPositions));
  }

  /**
   * Cancels a stop on the venue: what the venue says of it after (`stop` undefined when the venue does
   * not know it), or `failed` when the cancel failed (logged at `level` with `why`): the stop may still
   * rest, so whoever asked keeps its id and tries again.
   */
  async cancelStop(
    record: StopRecord,
    clientOrderId: string,
    why: string,
    level: 'warn' | 'error' = 'warn',
  ): Promise<CancelResult> {
    return this.deps.venue.cancelStop(record.symbol, clientOrderId).then(
      (stop) => ({ failed: false, stop }),
      (err: unknown) => {
        this.deps.log[level]({ positionId: record.positionId, clientOrderId, error: String(err) }, why);
        return { failed: true };
      },
    );
  }

  /** The stop as the venue holds it now; undefined when the venue does not know it. */
  async readBack(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    return this.deps.venue.fetchStop(symbol, clientOrderId);
  }
}

/** A part of the stop manager: the context it shares with the others, and the deps at hand. */
export abstract class StopPart {
  protected readonly deps: StopManagerDeps;

  constructor(protected readonly ctx: StopContext) {
    this.deps = ctx.deps;
  }
}
