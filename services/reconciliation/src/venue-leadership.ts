import type { ReconMetrics } from './recon-metrics';
import type { ReconcilerDeps, RunReport } from './reconciler';

/** Calls `run` every `ms` until stopped: the system's timers live, a test's own where it decides. */
export type Every = (ms: number, run: () => void) => { stop(): void };

export const systemEvery: Every = (ms, run) => {
  const timer = setInterval(run, ms);
  return { stop: () => clearInterval(timer) };
};

/** The venue's reconciliation lock as leadership uses it (a SessionLock on PostgreSQL). */
export interface VenueLock {
  readonly held: boolean;
  take(): Promise<boolean>;
  /**
   * Asks the database whether the lock is still held (a half-open connection keeps `held` true):
   * false, its loss reported through `onLost`, when not or when the session does not answer in time.
   */
  verify(): Promise<boolean>;
  close(): Promise<void>;
}

/** Reconciling the venue: started when the lock is taken, stopped when it is lost or the process stops. */
export interface Leading {
  first: RunReport;
  /** `final`: a last run (repairing nothing) after the work stopped; only while the lock is still held. */
  stop(final: boolean): Promise<void>;
}

export interface LeadershipDeps {
  venue: string;
  /** Opens the venue's lock; none when one process owns the database (embedded PGlite). */
  lock: ((onLost: (reason: string) => void) => VenueLock) | undefined;
  /** How often a process standing by tries to take the lock, and a leading one checks it still holds it. */
  retryMs: number;
  every: Every;
  metrics: ReconMetrics | undefined;
  log: ReconcilerDeps['log'];
  /** Starts reconciling: the first run, then runs every interval and on request. */
  lead: () => Promise<Leading>;
}

/**
 * One process reconciles a venue at a time (ADR 13): the one holding the venue's advisory lock. A
 * process that finds it held stands by (publishing nothing) and tries again every `retryMs`; the holder
 * asks the database every `retryMs` (and before each run) that its session still holds it, and one that
 * loses it (its connection dropped, or its session stopped answering) stops reconciling until it holds
 * it again.
 */
export class VenueLeadership {
  private readonly lock: VenueLock | undefined;
  private leading: Leading | undefined;
  private retry: { stop(): void } | undefined;
  /** Takes, losses and the stop run one after another, never interleaved. */
  private turn: Promise<unknown> = Promise.resolve();
  private standingBy = false;
  private lastProblem: string | undefined;
  /** Why the lock was last lost, as the lock reported it; the loss's own step may come after a check's. */
  private lossReason: string | undefined;
  private stopped = false;

  constructor(private readonly deps: LeadershipDeps) {
    this.lock = deps.lock?.((reason) => {
      this.lossReason = reason;
      // By its turn the lock may be held again (a check's step found the loss and took it again).
      void this.inTurn(() => (this.lock?.held ? Promise.resolve() : this.lost())).catch(this.failed);
    });
  }

  /**
   * Whether this process may start a run now: its lock's session answers that it holds the lock. A
   * failed check reports the loss, which stops the runs.
   */
  verify(): Promise<boolean> {
    return this.lock ? this.lock.verify() : Promise.resolve(true);
  }

  /** Tries to take the lock without reconciling yet: true when this process holds it. */
  take(): Promise<boolean> {
    return this.inTurn(() => this.tryTake());
  }

  /**
   * Reconciles if this process holds the lock (the first run's report), else stands by; either way
   * checks the lock every `retryMs` from now on.
   */
  async start(): Promise<RunReport | undefined> {
    await this.inTurn(() => this.attempt());
    if (this.lock && !this.stopped)
      this.retry = this.deps.every(this.deps.retryMs, () => void this.retryNow());
    return this.leading?.first;
  }

  /** Stops reconciling (a last run if the lock is still held) and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.stop();
    await this.inTurn(async () => {
      // The last run only on a session that still answers that it holds the lock.
      if (this.leading) await this.leading.stop(await this.verify());
      this.leading = undefined;
      await this.lock?.close();
      this.setLeader(false);
    });
  }

  private async retryNow(): Promise<void> {
    await this.inTurn(() => this.attempt()).catch(this.failed);
  }

  private readonly failed = (err: unknown) =>
    this.deps.log.error({ err, venue: this.deps.venue }, 'reconciliation lock step failed; trying again');

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.leading && !(await this.verify())) await this.lost();
    if (this.leading || !(await this.tryTake())) return;
    this.standingBy = false;
    this.lossReason = undefined;
    this.deps.log.info(
      { venue: this.deps.venue },
      `reconciliation lock taken: reconciling ${this.deps.venue}`,
    );
    this.leading = await this.deps.lead();
    this.setLeader(true);
  }

  private async tryTake(): Promise<boolean> {
    if (!this.lock) return true;
    try {
      const held = await this.lock.take();
      this.lastProblem = undefined;
      if (!held) this.standBy();
      return held;
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      if (problem !== this.lastProblem)
        this.deps.log.warn(
          { venue: this.deps.venue, err: problem },
          'reconciliation lock not taken: the database is unreachable; trying again',
        );
      this.lastProblem = problem;
      this.setLeader(false);
      return false;
    }
  }

  private standBy(): void {
    this.setLeader(false);
    if (this.standingBy) return;
    this.standingBy = true;
    this.deps.log.warn(
      { venue: this.deps.venue, retryMs: this.deps.retryMs },
      `another process reconciles ${this.deps.venue}: standing by until its reconciliation lock is free`,
    );
  }

  private async lost(): Promise<void> {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.setLeader(false);
    this.deps.log.error(
      { venue: this.deps.venue, reason: this.lossReason ?? 'the lock is no longer held' },
      `reconciliation lock lost: not reconciling ${this.deps.venue} until it is taken again`,
    );
    await leading.stop(false);
  }

  private setLeader(leading: boolean): void {
    this.deps.metrics?.leader.set({ venue: this.deps.venue }, leading ? 1 : 0);
  }

  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const next = this.turn.then(step);
    this.turn = next.catch(() => undefined);
    return next;
  }
}
