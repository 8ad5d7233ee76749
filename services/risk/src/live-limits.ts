import type { Bus, Subscription } from '@ballast/bus';
import { type Clock, CONFIG_KEYS, Subjects, subject } from '@ballast/contracts';
import { limitsOver, type RiskLimits } from '@ballast/core';
import { BotStateRepository, type Database, diffConfig } from '@ballast/db';
import type { Kysely } from 'kysely';

/** applied: the stored limits are in force; invalid: they were refused and the previous ones kept. */
export type LimitsLoadOutcome = 'applied' | 'invalid';

export interface LiveLimitsDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** The configured limits (RISK_LIMITS_JSON or the defaults): what an operator's stored fields go over. */
  base: RiskLimits;
  /** The stops service's stop-limit offset: stored limits must cover it (coversStopLimitOffset). */
  stopLimitOffsetBps?: number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Told of every read of the stored limits (metrics). */
  loaded?: (outcome: LimitsLoadOutcome) => void;
}

// Read as stored: limitsOver judges it, so a bad value is refused without an exception.
const asStored = { parse: (v: unknown) => v };

/**
 * The risk limits in force: the configured ones with an operator's stored `config:risk_limits` over them,
 * read at start and again on every `config.changed` for that key. A stored value that is not valid limits,
 * or whose stop exit allowance does not cover the stop-limit offset, is refused with its reason, and the
 * limits in force stay as they were.
 */
export class LiveLimits {
  private limits: RiskLimits;
  private readonly state: BotStateRepository;
  /** Reads run one after another, so an older read never lands after a newer one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LiveLimitsDeps) {
    this.limits = deps.base;
    this.state = new BotStateRepository(deps.db, deps.clock);
  }

  get current(): RiskLimits {
    return this.limits;
  }

  /** Reads the stored limits; nothing stored leaves the configured ones. */
  load(changeId: string | null): Promise<void> {
    const run = this.queue.then(() => this.read(changeId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(changeId: string | null): Promise<void> {
    const stored = await this.state.get(CONFIG_KEYS.riskLimits, asStored);
    if (stored === undefined) return;
    const next = limitsOver(this.deps.base, stored.value, this.deps.stopLimitOffsetBps);
    if (!next.ok) {
      this.deps.loaded?.('invalid');
      this.deps.log.warn(
        { key: CONFIG_KEYS.riskLimits, changeId, reason: next.reason, error: next.message },
        'stored risk limits refused; the previous limits stay in force',
      );
      return;
    }
    const diff = diffConfig(this.limits, next.limits);
    this.limits = next.limits;
    this.deps.loaded?.('applied');
    this.deps.log.info({ key: CONFIG_KEYS.riskLimits, changeId, diff }, 'risk limits in force');
  }

  /** Reloads on every announced change of the risk limits. */
  watch(bus: Bus, durable: string): Promise<Subscription> {
    return bus.subscribe(
      subject(Subjects.configChanged, {}),
      async (m) => {
        if (m.payload.key === CONFIG_KEYS.riskLimits) await this.load(m.payload.changeId);
      },
      { durable },
    );
  }
}
