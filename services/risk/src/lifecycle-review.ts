import type { Bus } from '@ballast/bus';
import { type Clock, Subjects, subject } from '@ballast/contracts';
import {
  type DemotionLimits,
  enteredSince,
  type LifecycleStep,
  liveResults,
  reviewLive,
} from '@ballast/core';
import { ClosedTradeRepository, type Database } from '@ballast/db';
import { judgedStrategies, readLifecycle, recordLifecycle, uuidv7Ids } from '@ballast/service-kit';
import type { Kysely } from 'kysely';

/** How often every live strategy is reviewed besides after its closes (an override expires on no trade). */
export const DEFAULT_LIFECYCLE_REVIEW_MS = 60_000;

export interface LifecycleReviewDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  /** The venue this risk instance guards: only its trades are judged, against its account's equity. */
  venue: string;
  /** The account's equity now; less a strategy's live results, the equity its drawdown is measured from. */
  equity: () => number;
  /**
   * What the strategy's open positions on this venue would gain (negative: lose) at their marks: its
   * live drawdown counts a loss held open as one closed. Absent: closed trades only.
   */
  openPnl?: (strategy: string) => number;
  intervalMs: number;
  limits?: DemotionLimits;
  log: { warn(o: object, m: string): void; error?(o: object, m: string): void };
}

/**
 * Demotes live strategies without anyone running `ballast readiness`: after each closed trade of a
 * strategy, and every `intervalMs` for all, core's reviewLive judges its live results and its override's
 * expiry; a demotion is recorded as the readiness command records one (lifecycle, audit, a new paper
 * period) and announced on `alert`, and the orders service refuses the strategy's next entry.
 * Reviews run one at a time in the background: a close is never held up by one.
 */
export class LifecycleReview {
  private readonly ids;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LifecycleReviewDeps) {
    this.ids = uuidv7Ids(deps.clock);
  }

  /** Reviews every strategy now (what closed while risk was down), then every interval. */
  start(): void {
    this.enqueue(() => this.reviewAll());
    this.timer = setInterval(() => this.enqueue(() => this.reviewAll()), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and waits for the review under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue;
  }

  /** Told of a recorded closed trade: its strategy is reviewed next. */
  closed(strategy: string): void {
    this.enqueue(() => this.review(strategy));
  }

  private enqueue(task: () => Promise<unknown>): void {
    this.queue = this.queue
      .then(task)
      .then(() => undefined)
      .catch((err: unknown) => this.deps.log.error?.({ err }, 'strategy lifecycle review failed'));
  }

  /** Each strategy on its own: one that cannot be reviewed (its record unreadable) holds up no other's demotion. */
  private async reviewAll(): Promise<void> {
    for (const strategy of await judgedStrategies(this.deps))
      await this.review(strategy).catch((err: unknown) =>
        this.deps.log.error?.({ err, strategy }, 'strategy lifecycle review failed'),
      );
  }

  /**
   * Reviews one strategy; the step taken when it was demoted, else null. A record changed by a readiness
   * run while judged is read and judged again (a few times at most), never overwritten.
   */
  async review(strategy: string, attempts = 3): Promise<LifecycleStep | null> {
    const stored = await readLifecycle(this.deps, strategy);
    if (stored?.state !== 'live') return null;
    // Another venue's trades moved another account: its own risk instance judges them.
    const trades = (await new ClosedTradeRepository(this.deps.db).ofStrategy(strategy)).filter(
      (t) => t.exchange === this.deps.venue,
    );
    const liveNet = trades.filter((t) => enteredSince(t, stored.since)).reduce((s, t) => s + t.pnl, 0);
    // The account's equity when the strategy went live, else (an older record) now less its live results.
    const open = this.deps.openPnl?.(strategy) ?? 0;
    // Equity now holds the open result too: an older record's start takes it off with the closed ones.
    const start = stored.equityAtLive?.[this.deps.venue] ?? this.deps.equity() - liveNet - open;
    const recent = liveResults(trades, stored.since, start, open);
    const step = reviewLive(stored, recent, {
      now: this.deps.clock.now(),
      gateGreen: null,
      ...(this.deps.limits ? { limits: this.deps.limits } : {}),
    });
    if (step.state === 'live') return null;
    const recorded = await recordLifecycle(
      { db: this.deps.db, clock: this.deps.clock, ids: this.ids },
      { strategy, stored, step, actor: 'risk', source: 'risk', figures: { live: recent } },
    );
    if (!recorded) return attempts > 1 ? this.review(strategy, attempts - 1) : null;
    this.deps.log.warn({ strategy, reason: step.reason, live: recent }, 'strategy demoted to shadow');
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity: 'critical',
      kind: 'strategy_demoted',
      message: `${strategy} demoted to shadow: ${step.detail}; its entries are refused, its positions still close`,
      labels: { service: 'risk', strategy, reason: step.reason },
    });
    return step;
  }
}
