import { isIP } from 'node:net';
import type { Clock } from '@ballast/contracts';
import {
  type LiveStartRefusal,
  liveEntryRefusal,
  liveStartRefusals,
  readinessKeys,
  StoredLifecycle,
} from '@ballast/core';
import { BotStateRepository, type Database } from '@ballast/db';
import { StartRefusedError } from '@ballast/service-kit';
import type { Kysely } from 'kysely';

/**
 * Live trading refused at start: lists every strategy that the readiness gate has not promoted. A restart
 * cannot heal it (only `ballast readiness` can), so `runService` exits 78 as for invalid configuration.
 */
export class LiveStartRefusedError extends StartRefusedError {
  override readonly name = 'LiveStartRefusedError';
  readonly reason = 'readiness_gate';

  constructor(readonly refusals: readonly LiveStartRefusal[]) {
    super(
      `live trading refused by the readiness gate: ${refusals.map((r) => r.detail).join('; ')} ` +
        '(a strategy goes live only when `pnpm ballast readiness` finds every criterion green, or with a recorded --override)',
    );
  }
}

/** Each strategy's lifecycle as `ballast readiness` recorded it; a strategy never judged is absent. */
async function readLifecycles(
  db: Kysely<Database>,
  clock: Clock,
  strategies: readonly string[],
): Promise<Map<string, StoredLifecycle>> {
  const state = new BotStateRepository(db, clock);
  const lifecycles = new Map<string, StoredLifecycle>();
  for (const strategy of strategies) {
    const stored = await state.get(readinessKeys.lifecycle(strategy), StoredLifecycle);
    if (stored) lifecycles.set(strategy, stored.value);
  }
  return lifecycles;
}

/**
 * Reads each strategy's lifecycle, recorded by `ballast readiness`, and throws unless all are live.
 * The gate itself (criteria, overrides) lives in the readiness command; here we only honour its verdict.
 */
export async function assertLiveStart(
  db: Kysely<Database>,
  clock: Clock,
  strategies: readonly string[],
): Promise<void> {
  const refusals = liveStartRefusals(strategies, await readLifecycles(db, clock, strategies), clock.now());
  if (refusals.length > 0) throw new LiveStartRefusedError(refusals);
}

/** Lifecycles unread for this many refresh periods (the database unreachable) refuse every entry. */
const STALE_AFTER_REFRESHES = 10;

/**
 * Which strategies may send entries to a live venue right now: those in LIVE_STRATEGIES still `live`
 * per the readiness gate. The lifecycles are re-read every `refreshMs` in the background, so a
 * demotion stops entries without a restart and no decision waits on the database.
 */
export class LiveStrategies {
  private lifecycles = new Map<string, StoredLifecycle>();
  private readAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      clock: Clock;
      strategies: readonly string[];
      refreshMs: number;
      log: { warn(o: object, m: string): void; error(o: object, m: string): void };
    },
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.deps.log.error({ err }, 'strategy lifecycles unread'));
    }, this.deps.refreshMs);
    // A start that fails after this must not be kept alive by the refresh.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Reads the lifecycles now; logs each strategy whose entries start or stop being allowed. */
  async refresh(): Promise<void> {
    const { db, clock, strategies } = this.deps;
    const read = await readLifecycles(db, clock, strategies);
    for (const strategy of strategies) {
      const was = this.lifecycles.get(strategy)?.state ?? null;
      const now = read.get(strategy);
      if (was !== null && was !== (now?.state ?? null))
        this.deps.log.warn(
          { strategy, from: was, to: now?.state ?? null, reason: now?.reason ?? null },
          now?.state === 'live' ? 'strategy live: entries allowed' : 'strategy not live: entries refused',
        );
    }
    this.lifecycles = read;
    this.readAt = clock.now();
  }

  /** Why an entry of `strategy` may not go to the venue now, or null when it may. */
  refusal(strategy: string): string | null {
    return this.staleness() ?? this.demotion(strategy);
  }

  /**
   * Why `strategy` is not live by the lifecycles last read (demoted, never promoted, not listed), or
   * null when it is: a verdict recorded, not a read that failed.
   */
  demotion(strategy: string): string | null {
    return (
      liveEntryRefusal(strategy, this.deps.strategies, this.lifecycles, this.deps.clock.now())?.detail ?? null
    );
  }

  /** Why the lifecycles last read are too old to let an entry go (the reads failing), or null. */
  staleness(): string | null {
    const age = this.deps.clock.now() - this.readAt;
    return age > this.deps.refreshMs * STALE_AFTER_REFRESHES
      ? `strategy lifecycles unread for ${Math.round(age / 1000)}s; no entry goes live unchecked`
      : null;
  }
}

/** A base URL on this machine: the exchange simulator or a test double, never a venue holding real money. */
export function isLoopback(baseUrl: string | undefined): boolean {
  if (!baseUrl) return false;
  const host = new URL(baseUrl).hostname;
  // An address, not a name that starts like one: `127.0.0.1.example.com` is somebody's host.
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}
