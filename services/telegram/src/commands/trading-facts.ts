import { gatherReadiness } from '@ballast/backtest';
import type { Clock } from '@ballast/contracts';
import {
  DEFAULT_READINESS_THRESHOLDS,
  evaluateReadiness,
  type LedgerTrade,
  type PeriodPnl,
  type PnlPeriod,
  periodStart,
  pnlBetween,
  readinessKeys,
  StoredLifecycle,
} from '@ballast/core';
import { BotStateRepository, ClosedTradeRepository, type Database } from '@ballast/db';
import type { Kysely } from 'kysely';
import type { StrategyReadiness } from './replies';

export interface TradingFactsDeps {
  db: Kysely<Database>;
  clock: Clock;
  initialEquity: number;
  /** Strategies to list even before their first trade. */
  strategies: readonly string[];
  /** The services' UPTIME_SAMPLE_MS, the interval uptime expects a sample per; default 60 s. */
  uptimeSampleMs?: number;
}

/** What the commands read from the database: closed trades (net of fees) and the readiness gate. */
export class TradingFacts {
  private readonly trades: ClosedTradeRepository;
  private readonly state: BotStateRepository;

  constructor(private readonly deps: TradingFactsDeps) {
    this.trades = new ClosedTradeRepository(deps.db);
    this.state = new BotStateRepository(deps.db, deps.clock);
  }

  closedTrades(): Promise<LedgerTrade[]> {
    return this.trades.all();
  }

  /** Closed-trade P&L from the start of the current day, week or month up to now. */
  async pnl(period: PnlPeriod): Promise<PeriodPnl> {
    const now = this.deps.clock.now();
    return pnlBetween(await this.closedTrades(), this.deps.initialEquity, periodStart(now, period), now + 1);
  }

  async readiness(extraStrategies: Iterable<string> = []): Promise<StrategyReadiness[]> {
    const names = new Set([...this.deps.strategies, ...extraStrategies]);
    for (const t of await this.closedTrades()) if (t.strategy) names.add(t.strategy);
    const rows: StrategyReadiness[] = [];
    for (const strategy of [...names].sort()) {
      const lifecycle = await this.state.get(readinessKeys.lifecycle(strategy), StoredLifecycle);
      const gathered = await gatherReadiness({
        db: this.deps.db,
        clock: this.deps.clock,
        strategy,
        // The account's own equity as risk stored it (as `ballast readiness`), never the configured one.
        uptimeSampleMs: this.deps.uptimeSampleMs,
      });
      const report = evaluateReadiness(gathered.inputs, DEFAULT_READINESS_THRESHOLDS);
      rows.push({ strategy, lifecycle: lifecycle?.value ?? null, ok: report.ok, criteria: report.criteria });
    }
    return rows;
  }
}
