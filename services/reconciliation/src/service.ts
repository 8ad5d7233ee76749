import type { Bus, Subscription } from '@ballast/bus';
import { type Clock, type IdGenerator, Subjects, subject } from '@ballast/contracts';
import { checkKeySafety, type KeySafetyVerdict } from '@ballast/core';
import {
  type Database,
  OrderSliceRepository,
  ProtectiveStopRepository,
  ReconRepository,
  SessionLock,
} from '@ballast/db';
import { CcxtVenue, type OrderVenue, VenueError } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { ReconConfig } from './config';
import { StopView } from './ledger-reader';
import { LockLost } from './recon-errors';
import { ReconMetrics } from './recon-metrics';
import { Reconciler, type ReconcilerDeps, type RunReport } from './reconciler';
import {
  type Every,
  type LeadershipDeps,
  type Leading,
  systemEvery,
  VenueLeadership,
} from './venue-leadership';

export interface ReconDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  config: ReconConfig;
  log: ReconcilerDeps['log'];
  metrics?: Registry;
  /** Replaces the configured venue. */
  venue?: OrderVenue;
  /**
   * The PostgreSQL database `db` is on, where the venue's reconciliation lock is held (ADR 13); unset
   * with embedded PGlite, which one process owns anyway.
   */
  databaseUrl?: string | undefined;
  /** The timers of the runs and of the lock's retries (the system's unless given). */
  every?: Every;
  /** Waits between reads of the key's permissions that failed for a passing reason (the system's unless given). */
  sleep?: (ms: number) => Promise<void>;
}

export class KeySafetyError extends Error {
  override readonly name = 'KeySafetyError';
  constructor(readonly verdict: Extract<KeySafetyVerdict, { ok: false }>) {
    super(verdict.detail);
  }
}

/** The advisory lock one process holds while it reconciles `venue` (ADR 13). */
export const reconLockName = (venue: string) => `ballast-recon:${venue}`;

/**
 * Starts reconciliation for one venue: key safety first (live venues), then, if no other process
 * reconciles the venue (its lock is free), a run before anything else, then a run every
 * RECON_INTERVAL_MS and on every `recon.request` (a run that reads the venue after the request). A
 * process that finds the lock held stands by, tries again every RECON_LOCK_RETRY_MS and takes over
 * when it gets it (`first` is then undefined).
 */
export async function startReconciliation(
  deps: ReconDeps,
): Promise<AsyncDisposable & { reconciler: Reconciler; first: RunReport | undefined }> {
  const { config } = deps;
  const venue = deps.venue ?? buildVenue(config, deps.clock);
  const recon = new ReconRepository(deps.db, deps.clock);
  const metrics = deps.metrics ? new ReconMetrics(deps.metrics) : undefined;
  const reconciler = buildReconciler(deps, venue, recon, metrics);
  const every = deps.every ?? systemEvery;
  const leadership: VenueLeadership = new VenueLeadership({
    venue: venue.id,
    lock: lockOf(deps.databaseUrl, venue.id, config.RECON_LOCK_TIMEOUT_MS),
    retryMs: config.RECON_LOCK_RETRY_MS,
    every,
    metrics,
    log: deps.log,
    lead: async () => {
      // No clean run stored yet: the 30 minutes without one count from the first run (its stored
      // time), not from this takeover, or restarts would keep the alert quiet; from now on a first run.
      const stored = await recon.state(venue.id);
      metrics?.leading(venue.id, stored?.lastCleanAt ?? stored?.historyBefore ?? deps.clock.now());
      return lead(deps, { reconciler, venue: venue.id, every, verify: () => leadership.verify() });
    },
  });
  let first: RunReport | undefined;
  try {
    await ensureKeySafe(deps, venue, recon, await leadership.take());
    first = await leadership.start();
  } catch (err) {
    await leadership.stop();
    throw err;
  }
  return { reconciler, first, [Symbol.asyncDispose]: () => leadership.stop() };
}

function lockOf(url: string | undefined, venue: string, timeoutMs: number): LeadershipDeps['lock'] {
  if (!url) return undefined;
  return (onLost) => new SessionLock({ url, name: reconLockName(venue), onLost, timeoutMs });
}

/** Reconciling as the venue's one reconciler: the first run, then on the interval and on request. */
async function lead(
  deps: ReconDeps,
  own: { reconciler: Reconciler; venue: string; every: Every; verify: () => Promise<boolean> },
): Promise<Leading> {
  const { reconciler, venue } = own;
  const first = await reconciler.run();
  deps.log.info({ venue, outcome: first.outcome, detail: first.detail }, 'first reconciliation');
  // A run starts only once the lock's session has answered that it holds the lock: a lost lock (even
  // one whose connection went half-open and never said so) stops the runs before its loss is handled.
  // A requested run (`fresh`) that fails is thrown to the bus, so the request is not acknowledged:
  // delivered again with backoff, it gets a run that completes (its status published), or a dead letter.
  const runLogged = async (fresh = false): Promise<boolean> => {
    if (!(await own.verify())) return false;
    try {
      const r = await (fresh ? reconciler.runFresh() : reconciler.run());
      deps.log.info({ venue, outcome: r.outcome, drifts: r.drifts.length }, 'reconciled');
    } catch (err) {
      deps.log.error({ err }, 'reconciliation run failed');
      if (fresh) throw err;
    }
    return true;
  };
  // Subscribed only while reconciling: a request waits in the durable for the process that reconciles.
  const sub: Subscription = await deps.bus.subscribe(
    subject(Subjects.reconRequest, {}),
    async (m) => {
      if (m.payload.venue !== null && m.payload.venue !== venue) return;
      deps.log.info({ venue, requestedBy: m.payload.requestedBy }, 'reconciliation requested');
      // Not acknowledged by a process that lost the lock (ADR 13): delivered again, to the next holder.
      if (!(await runLogged(true))) throw new LockLost(venue);
    },
    { durable: `reconciliation-${venue}-request` },
  );
  const timer = own.every(deps.config.RECON_INTERVAL_MS, () => void runLogged());
  return {
    first,
    async stop(final) {
      timer.stop();
      await sub.stop();
      if (final) await reconciler.run({ repair: false }).catch(() => undefined);
    },
  };
}

/** The reconciler for one venue; `ballast recon` builds one to preview drifts without repairing. */
export function buildReconciler(
  deps: Omit<ReconDeps, 'venue'>,
  venue: OrderVenue,
  recon = new ReconRepository(deps.db, deps.clock),
  metrics = deps.metrics ? new ReconMetrics(deps.metrics) : undefined,
): Reconciler {
  const { config } = deps;
  return new Reconciler({
    bus: deps.bus,
    db: deps.db,
    venue,
    slices: new OrderSliceRepository(deps.db, deps.clock),
    stops: new ProtectiveStopRepository(deps.db, deps.clock, StopView),
    recon,
    clock: deps.clock,
    ids: deps.ids,
    metrics,
    symbols: config.RECON_SYMBOLS,
    baseHoldings: config.RECON_BASE_HOLDINGS,
    skipHistory: config.RECON_SKIP_TRADE_HISTORY,
    fillWaitMs: config.RECON_FILL_WAIT_MS,
    policy: {
      clientIdPrefix: config.CLIENT_ID_PREFIX,
      externalOrders: config.RECON_EXTERNAL_ORDERS,
      inFlightGraceMs: config.RECON_IN_FLIGHT_GRACE_MS,
      balanceTolerance: { default: config.RECON_BALANCE_TOLERANCE },
      stopsOnVenue: config.RECON_STOPS_ON_VENUE,
    },
    log: deps.log,
  });
}

export function buildVenue(config: ReconConfig, clock?: Clock): CcxtVenue {
  const credentials =
    config.EXCHANGE_API_KEY && config.EXCHANGE_API_SECRET
      ? { apiKey: config.EXCHANGE_API_KEY, secret: config.EXCHANGE_API_SECRET }
      : undefined;
  return new CcxtVenue({
    venue: config.RECON_VENUE,
    exchangeId: config.RECON_VENUE,
    ...(config.EXCHANGE_BASE_URL ? { baseUrl: config.EXCHANGE_BASE_URL } : {}),
    ...(credentials ? { credentials } : {}),
    ...(clock ? { clock } : {}),
  });
}

/**
 * A live key that can withdraw stops the start (the venue stays unknown, so risk admits no entries)
 * unless an override is configured; an override is recorded every time it is used. Only the process
 * that holds the venue's lock (`reconciles`) says the venue is unknown: another one reconciles it.
 */
async function ensureKeySafe(
  deps: ReconDeps,
  venue: OrderVenue,
  recon: ReconRepository,
  reconciles: boolean,
): Promise<void> {
  const { config } = deps;
  if (!config.RECON_LIVE) return;
  const withdrawals = await readWithdrawals(venue, deps.sleep ?? realSleep);
  const verdict = checkKeySafety({
    venue: venue.id,
    live: true,
    withdrawals,
    override: config.RECON_WITHDRAWAL_OVERRIDE ?? null,
  });
  if (verdict.ok && !verdict.overridden) return;
  const runId = deps.ids();
  await recon.log([
    {
      venue: venue.id,
      runId,
      kind: 'key_safety',
      driftKey: `key:${venue.id}`,
      action: verdict.ok ? 'override' : 'refuse',
      outcome: 'noted',
      evidence: verdict.detail,
      before: null,
      after: { withdrawals: withdrawals ?? null },
    },
  ]);
  await deps.bus.publish(subject(Subjects.alert, {}), {
    severity: 'critical',
    kind: verdict.ok ? 'withdrawal_key_overridden' : 'withdrawal_key_refused',
    message: verdict.detail,
    labels: { service: 'reconciliation', exchange: venue.id },
  });
  if (verdict.ok) {
    deps.log.warn({ venue: venue.id }, verdict.detail);
    return;
  }
  if (reconciles)
    await deps.bus.publish(subject(Subjects.reconStatus, { exchange: venue.id }), {
      venue: venue.id,
      status: 'unknown',
      drifts: 0,
      lastCleanAt: null,
      detail: verdict.detail,
    });
  throw new KeySafetyError(verdict);
}

/** Waits before each retry of a key permission read that failed for a passing reason. */
const WITHDRAWALS_RETRY_MS = [500, 1_000, 2_000, 4_000];
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Whether the key can withdraw; undefined when the venue cannot say (the key counts as unsafe). A
 * venue unreachable or rate limiting at start is asked again: an outage is not an unsafe key. Still
 * unreachable after the retries, the start fails on the venue's error, not as a refused key.
 */
async function readWithdrawals(
  venue: OrderVenue,
  sleep: (ms: number) => Promise<void>,
): Promise<boolean | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await venue.withdrawalsEnabled();
    } catch (err) {
      if (!(err instanceof VenueError && err.retryable)) return undefined;
      const wait = WITHDRAWALS_RETRY_MS[attempt];
      if (wait === undefined) throw err;
      await sleep(wait);
    }
  }
}

export { reconConfigSchema } from './config';
