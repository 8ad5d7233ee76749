import type { Bus } from '@ballast/bus';
import { type Clock, type FeedState, type FeedStatus, Subjects, subject } from '@ballast/contracts';
import { StalenessMonitor } from '@ballast/core';

/**
 * Per-symbol states held until the symbol's data can be vouched for again: a pipeline repairing it
 * (a candle gap, a book resync), or the connection carrying it being down (reconnecting).
 */
export type SymbolCondition = Extract<FeedState, 'backfilling' | 'resyncing' | 'reconnecting'>;

export interface StatusLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Publishes `md.status.{exchange}`: connection states (symbol null) and per-symbol states, including
 * stale when a symbol has had no update for `staleAfterMs` (counted from start for one that never
 * sent any) and live again when updates resume, so downstream services can refuse entries on stale data.
 */
export class FeedStatusReporter implements Disposable {
  private readonly monitor: StalenessMonitor;
  /** Per symbol that sent at least one update, when the last one came. */
  private readonly lastMessage = new Map<string, number>();
  private readonly states = new Map<string | null, FeedState>();
  private readonly reasons = new Map<string | null, string>();
  /** Keys whose current state's publish failed: every check sends it again until one gets through. */
  private readonly undelivered = new Set<string | null>();
  /** Per symbol, the pipelines that cannot vouch for it now (a candle gap unfilled, a book resyncing). */
  private readonly conditions = new Map<string, Map<SymbolCondition, string>>();
  /** Per symbol held by a condition, since when (without a break): held past `downAfterMs` it is down. */
  private readonly heldSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      bus: Bus;
      venue: string;
      /** Every configured symbol: each is watched from start, so one that never sends goes stale too. */
      symbols: readonly string[];
      clock: Clock;
      log: StatusLog;
      staleAfterMs: number;
      /**
       * A symbol held by a condition this long is reported down: a resync or backfill that keeps failing
       * (a venue's IP ban lasts minutes to days) must reach the operator's alerts, not only refuse entries.
       */
      downAfterMs: number;
      /**
       * Told when a symbol goes without an update for `staleAfterMs`, and when updates resume (each
       * configured symbol is told `false` at start). Whatever state is published meanwhile: a symbol
       * reported reconnecting or down has no fresher data than a stale one (the stale gauge and its alert).
       */
      onStaleness?: (symbol: string, stale: boolean) => void;
    },
  ) {
    this.monitor = new StalenessMonitor(deps.staleAfterMs);
  }

  /** Checks staleness a few times per threshold, so a stale feed is reported within about 1.25× it. */
  start(): void {
    const now = this.deps.clock.now();
    for (const symbol of this.deps.symbols) {
      if (!this.lastMessage.has(symbol)) this.monitor.touch(symbol, now);
      this.deps.onStaleness?.(symbol, this.monitor.stateOf(symbol) === 'stale');
    }
    const every = Math.max(50, Math.min(1_000, Math.floor(this.deps.staleAfterMs / 4)));
    this.timer = setInterval(() => this.check(), every);
  }

  stateOf(symbol: string | null): FeedState | undefined {
    return this.states.get(symbol);
  }

  /** An update for a symbol arrived: it is live (again) if it was not. */
  touch(symbol: string): void {
    const now = this.deps.clock.now();
    const first = !this.lastMessage.has(symbol);
    this.lastMessage.set(symbol, now);
    this.monitor.touch(symbol, now);
    if (first && !this.conditions.get(symbol)?.size) this.report(symbol, 'live', 'first update');
  }

  /**
   * A pipeline raises or clears its condition on a symbol. While any is raised the symbol is reported
   * in that state, never live, whatever the staleness monitor sees; clearing the last one reports it
   * live again (or stale, if it is).
   */
  condition(symbol: string, kind: SymbolCondition, raised: boolean, reason: string): void {
    const raisedOn = this.conditions.get(symbol) ?? new Map<SymbolCondition, string>();
    this.conditions.set(symbol, raisedOn);
    if (raised) {
      if (raisedOn.size === 0) this.heldSince.set(symbol, this.deps.clock.now());
      raisedOn.set(kind, reason);
      if (this.states.get(symbol) !== 'down') this.report(symbol, kind, reason);
      return;
    }
    raisedOn.delete(kind);
    if (raisedOn.size === 0) this.heldSince.delete(symbol);
    // One that never sent an update is live at its first (touch), or stale when none comes.
    if (raisedOn.size === 0 && !this.lastMessage.has(symbol)) return;
    this.report(symbol, ...this.settled(symbol, reason));
  }

  /**
   * The connection carrying every symbol: lost, each symbol is reported reconnecting at once (its data
   * stopped now, not when the staleness threshold passes); open again, that condition clears.
   */
  connection(open: boolean, reason: string): void {
    this.report(null, open ? 'live' : 'reconnecting', reason);
    for (const symbol of this.deps.symbols)
      if (!open || this.conditions.get(symbol)?.has('reconnecting'))
        this.condition(symbol, 'reconnecting', !open, reason);
  }

  /** The state a symbol falls back to: a remaining condition (down once held too long), else stale or live. */
  private settled(symbol: string, liveReason: string): [FeedState, string] {
    const [other] = this.conditions.get(symbol) ?? [];
    if (other && this.states.get(symbol) === 'down') return ['down', this.reasons.get(symbol) ?? other[1]];
    if (other) return other;
    if (this.monitor.stateOf(symbol) === 'stale')
      return ['stale', `no update for more than ${this.deps.staleAfterMs} ms`];
    return ['live', liveReason];
  }

  report(symbol: string | null, state: FeedState, reason: string): void {
    if (this.states.get(symbol) === state) return;
    this.states.set(symbol, state);
    this.reasons.set(symbol, reason);
    this.deps.log.info({ symbol, state, reason }, 'feed status');
    this.publish(symbol, state, reason);
  }

  private publish(symbol: string | null, state: FeedState, reason: string): void {
    this.undelivered.delete(symbol);
    const payload: FeedStatus = {
      exchange: this.deps.venue,
      symbol,
      state,
      reason,
      lastMessageTime: symbol === null ? null : (this.lastMessage.get(symbol) ?? null),
    };
    const to = subject(Subjects.feedStatus, { exchange: this.deps.venue });
    this.deps.bus.publish(to, payload).catch((err: unknown) => {
      this.deps.log.error(
        { err: String(err), symbol, state },
        'publishing feed status failed: sending it again',
      );
      // A later state supersedes this one; otherwise subscribers (risk's stale-feed guard) must still learn it.
      if (this.states.get(symbol) === state) this.undelivered.add(symbol);
    });
  }

  /** Reports down each symbol a condition has held for `downAfterMs`, naming the condition. */
  private escalate(): void {
    const now = this.deps.clock.now();
    for (const [symbol, since] of this.heldSince) {
      if (now - since < this.deps.downAfterMs || this.states.get(symbol) === 'down') continue;
      const [held] = this.conditions.get(symbol) ?? [];
      if (held)
        this.report(symbol, 'down', `${held[0]} for more than ${this.deps.downAfterMs} ms: ${held[1]}`);
    }
  }

  /** Sends again each current state whose publish failed. */
  private redeliver(): void {
    for (const symbol of [...this.undelivered]) {
      const state = this.states.get(symbol);
      if (state !== undefined) this.publish(symbol, state, this.reasons.get(symbol) ?? '');
    }
  }

  check(): void {
    for (const t of this.monitor.check(this.deps.clock.now())) {
      this.deps.onStaleness?.(t.key, t.to === 'stale');
      if (t.to === 'stale')
        this.report(
          t.key,
          'stale',
          this.lastMessage.has(t.key)
            ? `no update for more than ${this.deps.staleAfterMs} ms`
            : `no update since start, more than ${this.deps.staleAfterMs} ms ago`,
        );
      else if (this.states.get(t.key) === 'stale')
        this.report(t.key, ...this.settled(t.key, 'updates resumed'));
    }
    this.escalate();
    this.redeliver();
  }

  [Symbol.dispose](): void {
    if (this.timer) clearInterval(this.timer);
  }
}
