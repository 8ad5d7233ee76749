import type { Bus, Subscription } from '@ballast/bus';
import { type Clock, CONFIG_KEYS, Subjects, subject } from '@ballast/contracts';
import { type Strategy, StrategySwitches, strategyEnabled } from '@ballast/core';
import { BotStateRepository, type Database } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';

export interface StrategySwitchesDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  /** Durable consumer of `config.changed`. */
  durable: string;
}

// Read as stored: StrategySwitches judges it, so a bad value is refused without an exception.
const asStored = { parse: (v: unknown) => v };

/**
 * Operators' strategy switches (`config:strategies_enabled`), read at start and again on every
 * `config.changed` for that key. A strategy switched off proposes nothing from the next vector on;
 * its series history is still kept, so switching it back on needs no warm-up. A stored value that is
 * not valid switches is refused with its reason and the previous switches stay.
 */
export class StrategySwitchboard {
  private switches: StrategySwitches = {};
  private readonly state: BotStateRepository;
  private readonly loads: Counter<'outcome'>;
  private subscription: Subscription | undefined;
  /** The strategies wrapped, for the gauge. */
  private names: readonly string[] = [];
  /** Reads run one after another, so an older read never lands after a newer one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: StrategySwitchesDeps) {
    this.state = new BotStateRepository(deps.db, deps.clock);
    this.loads = new Counter({
      name: 'ballast_signals_strategy_switch_loads_total',
      help: 'Reads of the operator-stored strategy switches by outcome: applied, or invalid (refused, previous switches kept)',
      labelNames: ['outcome'],
      registers: [deps.metrics],
    });
    for (const outcome of ['applied', 'invalid']) this.loads.inc({ outcome }, 0);
    const enabled = (name: string) => this.enabled(name);
    const names = () => this.names;
    new Gauge({
      name: 'ballast_signals_strategy_enabled',
      help: '1 while the strategy proposes candidates, 0 while an operator has switched it off',
      labelNames: ['strategy'],
      registers: [deps.metrics],
      collect() {
        for (const strategy of names()) this.set({ strategy }, enabled(strategy) ? 1 : 0);
      },
    });
  }

  /** Watches `config.changed` (first, so a change made while starting is not missed), then reads. */
  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe(
      subject(Subjects.configChanged, {}),
      async (m) => {
        if (m.payload.key === CONFIG_KEYS.strategies) await this.load(m.payload.changeId);
      },
      { durable: this.deps.durable },
    );
    await this.load(null);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** The strategies wrapped (none before `wrap`). */
  get strategies(): readonly string[] {
    return this.names;
  }

  enabled(strategy: string): boolean {
    return strategyEnabled(this.switches, strategy);
  }

  /** The strategies as the engine sees them: one switched off proposes nothing. */
  wrap(strategies: readonly Strategy[]): Strategy[] {
    this.names = strategies.map((s) => s.name);
    return strategies.map((s) => ({
      name: s.name,
      regimes: s.regimes,
      evaluate: (input) => (this.enabled(s.name) ? s.evaluate(input) : []),
    }));
  }

  load(changeId: string | null): Promise<void> {
    const run = this.queue.then(() => this.read(changeId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(changeId: string | null): Promise<void> {
    const stored = await this.state.get(CONFIG_KEYS.strategies, asStored);
    if (stored === undefined) return;
    const parsed = StrategySwitches.safeParse(stored.value);
    if (!parsed.success) {
      this.loads.inc({ outcome: 'invalid' });
      this.deps.log.warn(
        {
          key: CONFIG_KEYS.strategies,
          changeId,
          reason: 'invalid_switches',
          error: z.prettifyError(parsed.error).replaceAll('\n', '; '),
        },
        'stored strategy switches refused; the previous switches stay in force',
      );
      return;
    }
    this.switches = parsed.data;
    this.loads.inc({ outcome: 'applied' });
    const off = Object.keys(parsed.data).filter((name) => !strategyEnabled(parsed.data, name));
    this.deps.log.info({ key: CONFIG_KEYS.strategies, changeId, off }, 'strategy switches in force');
  }
}
