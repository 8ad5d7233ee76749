import { type Clock, CONFIG_KEYS, type ConfigKey, type IdGenerator } from '@ballast/contracts';
import {
  limitsOver,
  RiskLimits,
  readinessKeys,
  StoredLifecycle,
  StrategySwitches,
  strategyEnabled,
} from '@ballast/core';
import {
  advisoryLockKey,
  BotStateRepository,
  type ConfigChange,
  ConfigChangeRepository,
  type Database,
  diffConfig,
  LiveOverrideRepository,
} from '@ballast/db';
import { type Kysely, sql, type Transaction } from 'kysely';

export type ConfigRefusal = {
  ok: false;
  reason: 'invalid_limits' | 'unknown_strategy' | 'no_change';
  message: string;
};
/** A recorded change and the bot_state key its new value was stored at. */
export type ConfigResult = { ok: true; change: ConfigChange; key: ConfigKey } | ConfigRefusal;

export interface ConfigStoreDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  /** The limits in force before anyone changed them here (RISK_LIMITS_JSON or the defaults). */
  baseLimits: RiskLimits;
  /** The stops service's STOP_LIMIT_OFFSET_BPS: limits must cover it, as risk checks when it reloads them. */
  stopLimitOffsetBps: number;
  /** Strategies that can be switched. */
  strategies: readonly string[];
}

/** Held by each change for its transaction: changes read what the one before them wrote. */
const CHANGE_LOCK = advisoryLockKey('gateway config change');

/**
 * Risk limits and strategy switches as operators set them, each change appended to config_changes with
 * who, why and the diff before the new value is stored; plus the strategies' lifecycles as the readiness
 * gate left them.
 */
export class ConfigStore {
  private readonly state: BotStateRepository;
  private readonly changes: ConfigChangeRepository;

  constructor(private readonly deps: ConfigStoreDeps) {
    this.state = new BotStateRepository(deps.db, deps.clock);
    this.changes = new ConfigChangeRepository(deps.db);
  }

  riskLimits(): Promise<RiskLimits> {
    return this.limitsIn(this.state);
  }

  /** Every known strategy's switch; on unless an operator turned it off. */
  switches(): Promise<Record<string, boolean>> {
    return this.switchesIn(this.state);
  }

  private async limitsIn(state: BotStateRepository): Promise<RiskLimits> {
    return (await state.get(CONFIG_KEYS.riskLimits, RiskLimits))?.value ?? this.deps.baseLimits;
  }

  private async switchesIn(state: BotStateRepository): Promise<Record<string, boolean>> {
    const stored = (await state.get(CONFIG_KEYS.strategies, StrategySwitches))?.value ?? {};
    return Object.fromEntries(this.deps.strategies.map((s) => [s, strategyEnabled(stored, s)]));
  }

  /**
   * Applies `patch` over the limits in force; the whole result must still be valid limits that cover the
   * stop-limit offset (core limitsOver, as the risk service judges them): risk would refuse any other
   * stored value and keep the limits it has, so it is refused here, not reported as in force.
   */
  async setRiskLimits(patch: Record<string, unknown>, actor: string, reason: string): Promise<ConfigResult> {
    return this.change(async (trx, state) => {
      const before = await this.limitsIn(state);
      const parsed = limitsOver(before, patch, this.deps.stopLimitOffsetBps);
      if (!parsed.ok) return parsed;
      return this.apply(
        trx,
        'risk_limits',
        'risk',
        before,
        parsed.limits,
        actor,
        reason,
        CONFIG_KEYS.riskLimits,
      );
    });
  }

  async setStrategy(name: string, enabled: boolean, actor: string, reason: string): Promise<ConfigResult> {
    if (!this.deps.strategies.includes(name))
      return { ok: false, reason: 'unknown_strategy', message: `no strategy named ${name}` };
    return this.change(async (trx, state) => {
      const switches = await this.switchesIn(state);
      return this.apply(
        trx,
        'strategy_enabled',
        name,
        { enabled: switches[name] },
        { enabled },
        actor,
        reason,
        CONFIG_KEYS.strategies,
        { ...switches, [name]: enabled },
      );
    });
  }

  /**
   * One change at a time, in one transaction: each reads the value in force after the change before it,
   * so two operators' changes made at once are both kept (each read-and-write alone, the later write
   * would put back what the other changed while its trail entry said it was in force).
   */
  private change(
    run: (trx: Transaction<Database>, state: BotStateRepository) => Promise<ConfigResult>,
  ): Promise<ConfigResult> {
    return this.deps.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${CHANGE_LOCK})`.execute(trx);
      return run(trx, new BotStateRepository(trx, this.deps.clock));
    });
  }

  private async apply(
    trx: Transaction<Database>,
    kind: ConfigChange['kind'],
    subject: string,
    before: unknown,
    after: unknown,
    actor: string,
    reason: string,
    key: ConfigKey,
    value: unknown = after,
  ): Promise<ConfigResult> {
    const diff = diffConfig(before, after);
    if (diff.length === 0) return { ok: false, reason: 'no_change', message: 'nothing would change' };
    const change: ConfigChange = {
      id: this.deps.ids(),
      kind,
      subject,
      actor,
      source: 'gateway',
      reason,
      diff,
      figures: null,
      createdAt: this.deps.clock.now(),
    };
    // In one transaction with its record: a change that is in force but not in the trail must not exist.
    await new ConfigChangeRepository(trx).record(change);
    await new BotStateRepository(trx, this.deps.clock).set(key, value);
    return { ok: true, change, key };
  }

  history(limit: number): Promise<ConfigChange[]> {
    return this.changes.recent(limit);
  }

  /** Each strategy's lifecycle as `ballast readiness` stored it, and its latest override. */
  async lifecycles(strategies: readonly string[]) {
    const overrides = new LiveOverrideRepository(this.deps.db);
    return Promise.all(
      [...strategies].sort().map(async (strategy) => {
        const stored = (await this.state.get(readinessKeys.lifecycle(strategy), StoredLifecycle))?.value;
        const override = await overrides.latest(strategy);
        return {
          strategy,
          state: stored?.state ?? null,
          reason: stored?.reason ?? null,
          detail: stored?.detail ?? null,
          since: stored?.since ?? null,
          override: override
            ? {
                by: override.by,
                reason: override.reason,
                redCriteria: override.redCriteria,
                at: override.createdAt,
              }
            : null,
        };
      }),
    );
  }
}
