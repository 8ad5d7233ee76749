import type { Bus } from '@ballast/bus';
import { type Clock, type ReconStatus, Subjects, subject, symbolAssets } from '@ballast/contracts';
import {
  type Drift,
  derivedUuid,
  driftBeforeAfter,
  expectedBalances,
  hasStopDrift,
  isBlocking,
  isTradeHistory,
  type NetPosition,
  type ReconPolicy,
  reconcile,
  sharedBaseAssets,
  type TradableRules,
  tradeKey,
  type VenueSnapshot,
  withoutMovedStops,
} from '@ballast/core';
import type {
  Database,
  OrderSliceRepository,
  ProtectiveStopRepository,
  ReconRepository,
  ReconState,
} from '@ballast/db';
import { type OrderVenue, VenueError } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import { readLedger, readStops, type StopView } from './ledger-reader';
import { ReconRefusal, SharedAssetMarkets } from './recon-errors';
import type { ReconMetrics, RunOutcome } from './recon-metrics';
import { type RepairOutcome, Repairs } from './repairs';
import { readVenue } from './venue-reader';

export interface ReconcilerDeps {
  bus: Bus;
  db: Kysely<Database>;
  venue: OrderVenue;
  slices: OrderSliceRepository;
  stops: ProtectiveStopRepository<StopView>;
  recon: ReconRepository;
  clock: Clock;
  ids: () => string;
  metrics: ReconMetrics | undefined;
  symbols: readonly string[];
  baseHoldings: Readonly<Record<string, number>>;
  /** Trades of a market not read yet from before the venue's first run are history, not missed fills. */
  skipHistory: boolean;
  /** How long a run waits for the orders service to record a fill it was asked to record. */
  fillWaitMs: number;
  policy: Omit<ReconPolicy, 'now' | 'positionTolerance' | 'dust'>;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

export type RunReport = {
  runId: string;
  venue: string;
  outcome: RunOutcome;
  status: ReconStatus['status'];
  /** Every drift the run found (the first pass), with what was done about it. */
  drifts: Array<{ drift: Drift; outcome: RepairOutcome }>;
  detail: string;
};

/** Repairs are verified by a second read: the venue is reconciled only when that read is clean. */
const PASSES = 2;

/**
 * One venue's reconciliation: read the venue, read our books, compare (core), repair, publish every
 * drift and the venue's status. A venue that cannot be read, or not consistently (ReconRefusal), is
 * `unknown` and nothing is corrected.
 */
export class Reconciler {
  private readonly repairs: Repairs;
  private running: Promise<RunReport> | undefined;
  private followUp: Promise<RunReport> | undefined;
  /** Markets our orders traded that the venue no longer lists, said once each. */
  private readonly unlisted = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {
    this.repairs = new Repairs(deps);
  }

  /** One run; a call during a run waits for it instead of overlapping it. */
  run(options: { repair?: boolean } = {}): Promise<RunReport> {
    this.running ??= this.runOnce(options.repair ?? true).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * A run that reads the venue after this call (a `recon.request`). The run in progress may have read
   * it before the asker's reason to ask (a stop gone, an order's fate unknown), so joining it would
   * leave that drift to the next interval: one more run follows it, shared by every call meanwhile.
   */
  runFresh(): Promise<RunReport> {
    if (!this.running) return this.run();
    const next = () => {
      this.followUp = undefined;
      return this.run();
    };
    this.followUp ??= this.running.then(next, next);
    return this.followUp;
  }

  /** The drifts a run would find now, without repairing, recording or publishing anything. */
  async preview(): Promise<Drift[]> {
    return (await this.compare(await this.state(), await this.repairs.orphanStopsSeen())).drifts;
  }

  private async runOnce(repair: boolean): Promise<RunReport> {
    const runId = this.deps.ids();
    const venue = this.deps.venue.id;
    const started = performance.now();
    const state = await this.state();
    const report = await this.passes(runId, state, repair).catch(async (err: unknown) => {
      this.deps.log.warn({ err, venue }, 'no comparison this run; no corrections made');
      return this.unknown(runId, state, err);
    });
    this.deps.metrics?.duration.observe((performance.now() - started) / 1000);
    this.deps.metrics?.runs.inc({ venue, outcome: report.outcome });
    return report;
  }

  private async passes(runId: string, state: ReconState, repair: boolean): Promise<RunReport> {
    let current = state;
    const found: RunReport['drifts'] = [];
    // Read once: a stop first found orphaned in this run's first pass is not cancelled by its second.
    const orphansSeen = await this.repairs.orphanStopsSeen();
    for (let pass = 1; pass <= PASSES; pass++) {
      const { drifts, next, settles, counted } = await this.compare(current, orphansSeen);
      if (pass === 1 && repair) await this.repairs.found(drifts);
      if (drifts.length === 0) return this.finish(runId, next, found, true);
      if (pass === 1)
        for (const d of drifts) this.deps.metrics?.drifts.inc({ venue: next.venue, kind: d.kind });
      if (!repair)
        return this.finish(
          runId,
          { ...current, status: 'unreconciled' },
          drifts.map((drift) => ({ drift, outcome: 'noted' as const })),
          false,
        );
      const outcomes = await this.repairAll(runId, drifts, counted);
      if (pass === 1) found.push(...outcomes);
      const failed = outcomes.some((o) => o.outcome === 'failed');
      // Cursors and baseline advance only when every repair held, so a failed one is found again; the
      // end of the history is kept from the first read whatever happens.
      current = failed ? { ...current, historyBefore: next.historyBefore } : next;
      if (!settles || failed) return this.finish(runId, { ...current, status: 'unreconciled' }, found, false);
    }
    return this.finish(runId, { ...current, status: 'unreconciled' }, found, false);
  }

  private async compare(state: ReconState, orphanStopsSeen: ReadonlySet<string>) {
    const { venue } = this.deps;
    const ledger = await readLedger(venue.id, this.deps, null);
    const symbols = await this.listed(ledger.snapshot.orders.map((o) => o.symbol));
    const shared = sharedBaseAssets(symbols);
    if (shared.length > 0) throw new SharedAssetMarkets(shared);
    const read = await readVenue(venue, {
      symbols,
      cursors: state.cursors,
      orders: ledger.snapshot.orders.filter((o) => symbols.includes(o.symbol)),
      stops: ledger.snapshot.stops,
      baseHoldings: this.deps.baseHoldings,
      now: () => this.deps.clock.now(),
    });
    // A first run's history ends at its balance read, on the venue's clock (its trades' clock).
    const historyBefore = state.historyBefore ?? read.balancesAt;
    const snapshot = this.withoutHistory(read.snapshot, { ...state, historyBefore });
    const expected = expectedBalances(state.baseline, state.baselineAt, state.cursors, snapshot.trades);
    const policy: ReconPolicy = {
      ...this.deps.policy,
      now: this.deps.clock.now(),
      ...(await this.tolerances(snapshot.positions ?? {}, ledger.net)),
    };
    const positions = Object.fromEntries(
      Object.entries(ledger.snapshot.positions).filter(([symbol]) => symbols.includes(symbol)),
    );
    const verdict = reconcile(
      snapshot,
      { ...ledger.snapshot, positions, balances: expected, orphanStopsSeen },
      policy,
    );
    const drifts = await this.stopsRead(verdict.drifts);
    const next: ReconState = {
      ...state,
      historyBefore,
      cursors: read.cursors,
      baseline: verdict.nextBaseline,
      baselineAt: read.balancesAt,
    };
    const missing = drifts.flatMap((d) =>
      d.kind === 'missing_fill' ? [tradeKey(d.symbol, d.trade.tradeId)] : [],
    );
    const counted = new Set([...ledger.snapshot.tradeKeys, ...missing]);
    return { drifts, next, settles: !drifts.some(isBlocking), counted };
  }

  /** Stop drifts checked against the stop records read again now, after the venue (a trail moves stops). */
  private async stopsRead(drifts: Drift[]): Promise<Drift[]> {
    if (!hasStopDrift(drifts)) return drifts;
    return withoutMovedStops(drifts, await readStops(this.deps.venue.id, this.deps.stops));
  }

  /** With RECON_SKIP_TRADE_HISTORY, the trades that are the account's past are not missed fills. */
  private withoutHistory(snapshot: VenueSnapshot, state: ReconState): VenueSnapshot {
    const { cursors, historyBefore } = state;
    if (!this.deps.skipHistory || historyBefore === null) return snapshot;
    return { ...snapshot, trades: snapshot.trades.filter((t) => !isTradeHistory(t, cursors, historyBefore)) };
  }

  private async repairAll(
    runId: string,
    drifts: readonly Drift[],
    counted: ReadonlySet<string>,
  ): Promise<RunReport['drifts']> {
    const out: RunReport['drifts'] = [];
    // Our orders a fill of which the orders service has not recorded yet.
    const unrecorded = new Set<string>();
    for (const drift of [...drifts].sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) {
      const outcome = await this.repairOne(drift, runId, counted, unrecorded);
      if (drift.kind === 'missing_fill' && drift.clientOrderId && outcome === 'failed')
        unrecorded.add(drift.clientOrderId);
      if (outcome === 'superseded')
        this.deps.metrics?.superseded.inc({ venue: this.deps.venue.id, kind: drift.kind });
      out.push({ drift, outcome });
      await this.record(runId, drift, outcome);
    }
    return out;
  }

  /**
   * An order's status follows the venue's only once its fills are in our books: closed before them, it
   * would be announced ended with less filled than it did (cancelled with nothing filled: risk frees its
   * room, the stops service drops the entry's plan). Failed this run; set by the run that records them.
   */
  private async repairOne(
    drift: Drift,
    runId: string,
    counted: ReadonlySet<string>,
    unrecorded: ReadonlySet<string>,
  ): Promise<RepairOutcome> {
    if (
      drift.kind === 'order_state' &&
      drift.action === 'set_status' &&
      unrecorded.has(drift.clientOrderId)
    ) {
      this.deps.log.warn(
        { clientOrderId: drift.clientOrderId, to: drift.status },
        'a fill of the order is not recorded yet: its status is set once it is',
      );
      return 'failed';
    }
    try {
      return await this.repairs.apply(drift, runId, counted);
    } catch (err) {
      this.deps.log.error({ err, key: drift.key }, 'repair failed');
      return 'failed';
    }
  }

  private async record(runId: string, drift: Drift, outcome: RepairOutcome): Promise<void> {
    const venue = this.deps.venue.id;
    const { before, after } = driftBeforeAfter(drift);
    await this.deps.recon.log([
      {
        venue,
        runId,
        kind: drift.kind,
        driftKey: drift.key,
        action: drift.action,
        outcome,
        evidence: drift.evidence,
        before,
        after,
      },
    ]);
    this.deps.log.warn(
      { venue, kind: drift.kind, action: drift.action, outcome, evidence: drift.evidence },
      'drift',
    );
    await this.deps.bus.publish(
      subject(Subjects.reconEvent, {}),
      { venue, kind: drift.kind, before, after, evidence: `${drift.action} (${outcome}): ${drift.evidence}` },
      { id: derivedUuid('recon', runId, drift.key) },
    );
  }

  private async finish(
    runId: string,
    state: ReconState,
    drifts: RunReport['drifts'],
    clean: boolean,
  ): Promise<RunReport> {
    const now = this.deps.clock.now();
    const outcome = runOutcome(clean, drifts);
    // A flagged run agrees only because our balances now follow the venue's, unexplained: the venue
    // is reconciled (entries stay open) but it is not a clean run.
    const agreed = outcome === 'clean' || outcome === 'repaired';
    const next: ReconState = clean
      ? { ...state, status: 'reconciled', lastCleanAt: agreed ? now : state.lastCleanAt }
      : state;
    await this.deps.recon.saveState(next);
    if (agreed) this.deps.metrics?.lastClean.set({ venue: state.venue }, now / 1000);
    const detail = runDetail(outcome, drifts);
    if (outcome === 'clean')
      await this.deps.bus.publish(
        subject(Subjects.reconEvent, {}),
        { venue: state.venue, kind: 'clean', before: null, after: null, evidence: detail },
        { id: derivedUuid('recon', runId, 'clean') },
      );
    await this.publishStatus(next, drifts.length, detail);
    return { runId, venue: state.venue, outcome, status: next.status, drifts, detail };
  }

  private async unknown(runId: string, state: ReconState, err: unknown): Promise<RunReport> {
    const detail = unknownDetail(err).slice(0, 500);
    const next: ReconState = { ...state, status: 'unknown' };
    await this.deps.recon.saveState(next);
    await this.deps.bus.publish(
      subject(Subjects.reconEvent, {}),
      { venue: state.venue, kind: 'unknown', before: null, after: null, evidence: detail },
      { id: derivedUuid('recon', runId, 'unknown') },
    );
    await this.publishStatus(next, 0, detail);
    return { runId, venue: state.venue, outcome: 'unknown', status: 'unknown', drifts: [], detail };
  }

  private async publishStatus(state: ReconState, drifts: number, detail: string): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.reconStatus, { exchange: state.venue }), {
      venue: state.venue,
      status: state.status,
      drifts,
      lastCleanAt: state.lastCleanAt,
      detail,
    });
  }

  /**
   * The venue's stored state, or a first run's. Its trade history ends at its first run's balance read
   * (set by the compare, on the venue's clock: null until then); a row kept before that time was
   * stored ends it at this run's, as the markets read until now were treated.
   */
  private async state(): Promise<ReconState> {
    const venue = this.deps.venue.id;
    const stored = await this.deps.recon.state(venue);
    if (!stored)
      return {
        venue,
        cursors: {},
        baseline: null,
        status: 'unreconciled',
        lastCleanAt: null,
        historyBefore: null,
        baselineAt: null,
      };
    return stored;
  }

  /**
   * The markets a run reads: RECON_SYMBOLS, and those our orders traded that the venue still lists. One
   * it delisted since (ccxt BadSymbol: `invalid_order`) has no trades, orders or rules left to read:
   * read, it failed every run, and the venue stayed unknown for good. It is said once and compared no
   * more (its base asset's balance still is); a configured one is still read, its failure reported.
   */
  private async listed(ours: readonly string[]): Promise<string[]> {
    const symbols = [...new Set([...this.deps.symbols, ...ours])].sort();
    const out: string[] = [];
    for (const symbol of symbols)
      if (this.deps.symbols.includes(symbol) || (await this.lists(symbol))) out.push(symbol);
    return out;
  }

  private async lists(symbol: string): Promise<boolean> {
    try {
      await this.deps.venue.marketRules(symbol);
      return true;
    } catch (err) {
      if (!(err instanceof VenueError) || err.reason !== 'invalid_order') throw err;
      if (!this.unlisted.has(symbol)) {
        this.unlisted.add(symbol);
        this.deps.log.warn(
          { venue: this.deps.venue.id, symbol, err: err.message },
          'the venue no longer lists a market our orders traded: not reconciled, its position not compared',
        );
      }
      return false;
    }
  }

  /**
   * Per symbol held: the lot step (differences up to it are rounding) and the rules and price that tell
   * dust no stop can hold (priced at our books' average entry; unpriced, by the minimum quantity only).
   * Its base asset's balance tolerance is capped at that step: RECON_BALANCE_TOLERANCE is one figure for
   * every asset (set to absorb quote dust, it may exceed a lot step), and a base balance moved by more
   * than a step but within it would go unflagged, its position difference then set as ours.
   */
  private async tolerances(
    positions: Record<string, number>,
    net: ReadonlyMap<string, NetPosition>,
  ): Promise<Pick<ReconPolicy, 'positionTolerance' | 'dust' | 'balanceTolerance'>> {
    const positionTolerance: Record<string, number> = {};
    const dust: Record<string, { rules: TradableRules; price: number }> = {};
    const balanceTolerance = { ...this.deps.policy.balanceTolerance };
    for (const symbol of Object.keys(positions)) {
      const rules = await this.deps.venue.marketRules(symbol).catch(() => undefined);
      positionTolerance[symbol] = rules?.stepSize ?? 0;
      if (!rules) continue;
      dust[symbol] = { rules, price: net.get(symbol)?.avgEntry ?? 0 };
      const { base } = symbolAssets(symbol);
      balanceTolerance[base] = Math.min(balanceTolerance[base] ?? balanceTolerance.default, rules.stepSize);
    }
    return { positionTolerance, dust, balanceTolerance };
  }
}

/**
 * Why a run compared nothing, for the operator: a refusal says so itself; only the venue's own error is
 * "venue unreadable" (a status NATS would not take, or a database write that failed, came after or
 * beside a venue that read fine).
 */
function unknownDetail(err: unknown): string {
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof ReconRefusal) return why;
  if (err instanceof VenueError) return `venue unreadable: ${why}`;
  return `run failed (not the venue): ${why}`;
}

/**
 * `flagged`: the second read agrees, but some drift was only noted, not repaired (a balance our
 * trades and fees do not explain): reported as such, never as repaired or clean.
 */
function runOutcome(clean: boolean, drifts: RunReport['drifts']): RunOutcome {
  if (!clean) return 'unreconciled';
  if (drifts.length === 0) return 'clean';
  return drifts.some((d) => d.outcome === 'noted') ? 'flagged' : 'repaired';
}

function runDetail(outcome: RunOutcome, drifts: RunReport['drifts']): string {
  const notApplied = drifts.filter((d) => d.outcome !== 'applied');
  switch (outcome) {
    case 'clean':
      return 'the venue and our records agree';
    case 'repaired':
      return `${drifts.length} drifts repaired; a second read agrees`;
    case 'flagged':
      return `${drifts.length} drifts; flagged, not repaired: ${notApplied.map((d) => d.drift.evidence).join('; ')}`;
    default:
      return `${drifts.length} drifts; ${notApplied.map((d) => d.drift.key).join(', ') || 'unsettled'}`;
  }
}

const ORDER: Record<Drift['kind'], number> = {
  unknown_order: 0,
  orphan_stop: 0,
  missing_fill: 1,
  order_state: 2,
  position_qty: 3,
  position_unexplained: 3,
  missing_stop: 4,
  balance: 5,
};
