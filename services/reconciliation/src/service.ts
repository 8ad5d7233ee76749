import type { Bus, Subscription } from '@ballast/bus';
import { type Clock, type IdGenerator, Subjects, subject } from '@ballast/contracts';
import { checkKeySafety, type KeySafetyVerdict } from '@ballast/core';
import { type Database, OrderSliceRepository, ProtectiveStopRepository, ReconRepository } from '@ballast/db';
import { CcxtVenue, type OrderVenue } from '@ballast/exchange';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { ReconConfig } from './config';
import { StopView } from './ledger-reader';
import { ReconMetrics } from './recon-metrics';
import { Reconciler, type ReconcilerDeps, type RunReport } from './reconciler';

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
}

export class KeySafetyError extends Error {
  override readonly name = 'KeySafetyError';
  constructor(readonly verdict: Extract<KeySafetyVerdict, { ok: false }>) {
    super(verdict.detail);
  }
}

/**
 * Starts reconciliation for one venue: key safety first (live venues), then a run before anything
 * else, then a run every RECON_INTERVAL_MS and on every `recon.request`.
 */
export async function startReconciliation(
  deps: ReconDeps,
): Promise<AsyncDisposable & { reconciler: Reconciler; first: RunReport }> {
  const { config } = deps;
  const venue = deps.venue ?? buildVenue(config);
  const recon = new ReconRepository(deps.db, deps.clock);
  await ensureKeySafe(deps, venue, recon);
  const reconciler = buildReconciler(deps, venue, recon);
  const first = await reconciler.run();
  deps.log.info({ venue: venue.id, outcome: first.outcome, detail: first.detail }, 'first reconciliation');
  const runLogged = () =>
    reconciler.run().then(
      (r) => deps.log.info({ venue: venue.id, outcome: r.outcome, drifts: r.drifts.length }, 'reconciled'),
      (err: unknown) => deps.log.error({ err }, 'reconciliation run failed'),
    );
  const timer = setInterval(() => void runLogged(), config.RECON_INTERVAL_MS);
  const sub: Subscription = await deps.bus.subscribe(
    subject(Subjects.reconRequest, {}),
    async (m) => {
      if (m.payload.venue === null || m.payload.venue === venue.id) await runLogged();
    },
    { durable: `reconciliation-${venue.id}-request` },
  );
  return {
    reconciler,
    first,
    async [Symbol.asyncDispose]() {
      clearInterval(timer);
      await sub.stop();
      await reconciler.run({ repair: false }).catch(() => undefined);
    },
  };
}

/** The reconciler for one venue; `ballast recon` builds one to preview drifts without repairing. */
export function buildReconciler(
  deps: Omit<ReconDeps, 'venue'>,
  venue: OrderVenue,
  recon = new ReconRepository(deps.db, deps.clock),
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
    metrics: deps.metrics ? new ReconMetrics(deps.metrics) : undefined,
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

export function buildVenue(config: ReconConfig): CcxtVenue {
  const credentials =
    config.EXCHANGE_API_KEY && config.EXCHANGE_API_SECRET
      ? { apiKey: config.EXCHANGE_API_KEY, secret: config.EXCHANGE_API_SECRET }
      : undefined;
  return new CcxtVenue({
    venue: config.RECON_VENUE,
    exchangeId: config.RECON_VENUE,
    ...(config.EXCHANGE_BASE_URL ? { baseUrl: config.EXCHANGE_BASE_URL } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

/**
 * A live key that can withdraw stops the start (the venue stays unknown, so risk admits no entries)
 * unless an override is configured; an override is recorded every time it is used.
 */
async function ensureKeySafe(deps: ReconDeps, venue: OrderVenue, recon: ReconRepository): Promise<void> {
  const { config } = deps;
  if (!config.RECON_LIVE) return;
  const withdrawals = await venue.withdrawalsEnabled().catch(() => undefined);
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
  await deps.bus.publish(subject(Subjects.reconStatus, { exchange: venue.id }), {
    venue: venue.id,
    status: 'unknown',
    drifts: 0,
    lastCleanAt: null,
    detail: verdict.detail,
  });
  throw new KeySafetyError(verdict);
}

export { reconConfigSchema } from './config';
