import type { Bus } from '@ballast/bus';
import type { Clock, DenyReason } from '@ballast/contracts';
import type { RiskLimits, RiskState } from '@ballast/core';
import type { OrderVenue } from '@ballast/exchange';
import type { KillStore } from '@ballast/service-kit';
import type { ClosedTradeRecorder } from './closed-trade-recorder';
import { DEFAULT_PENDING_TTL_MS, type RiskConfig } from './config';
import type { DecidedStore } from './decided-store';
import type { EquityBaselineStore } from './equity-baseline-store';
import type { FeedStatesStore } from './feed-states-store';
import type { HeldPositions } from './held-positions';

export interface RiskManagerDeps {
  bus: Bus;
  /** Its public REST depth stands in for a streamed book that cannot be trusted. */
  venue: Pick<OrderVenue, 'id' | 'marketRules' | 'balances' | 'orderBook'>;
  trades: Pick<ClosedTradeRecorder, 'all' | 'record'>;
  kill: Pick<KillStore, 'load' | 'save'>;
  /**
   * Where the peak, the day's start and the drawdown and daily-loss halts survive a restart: a restart
   * must neither lift a halt nor hand out a fresh drawdown or daily-loss budget.
   */
  baseline: Pick<EquityBaselineStore, 'load' | 'save'>;
  /**
   * Where each market's latest feed status survives a restart: market-data publishes one only when it
   * changes, so a market stale before the restart must stay stale after it.
   */
  feeds: Pick<FeedStatesStore, 'load' | 'save'>;
  /** The decisions risk remembers, kept across restarts. */
  decisions: DecidedStore;
  /** The positions held and their stops, from the durable records (readHeldPositions). */
  held: () => Promise<HeldPositions>;
  clock: Clock;
  config: RiskConfig;
  /** The limits in force now; an operator may change them while the service runs (LiveLimits). */
  limits: { readonly current: RiskLimits };
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error?(o: object, m: string): void;
    debug?(o: object, m: string): void;
  };
  /** Told of each message of another venue left to its own risk, by consumer (metrics). */
  otherVenue?: (what: string) => void;
  /** Told of every entry verdict (metrics). */
  decided?: (verdict: { ok: true } | { ok: false; reason: DenyReason }) => void;
  /** Told of each closed trade once recorded, by its strategy (the lifecycle review). */
  tradeClosed?: (strategy: string) => void;
  /** Told of each failed write of the kill switch (metrics); it is tried again. */
  killSaveFailed?: () => void;
  /** Told of each failed REST depth read of a held market's mark (metrics); it is read again next interval. */
  restMarkFailed?: () => void;
}

/**
 * What the risk manager's parts share: the deps and the one RiskState every bus event folds into.
 * Each part replaces `state` with what a core reducer returns; a part that awaits reads `state` again
 * after the wait, since another event may have changed it meanwhile.
 */
export class RiskContext {
  state!: RiskState;

  constructor(readonly deps: RiskManagerDeps) {}

  /** How long an approved entry holds its reservation (and its decision is remembered). */
  get pendingTtlMs(): number {
    return this.deps.config.RISK_PENDING_TTL_MS ?? DEFAULT_PENDING_TTL_MS;
  }
}

/** A part of the risk manager: the context it shares with the others, and the deps at hand. */
export abstract class RiskPart {
  protected readonly deps: RiskManagerDeps;

  constructor(protected readonly ctx: RiskContext) {
    this.deps = ctx.deps;
  }
}
