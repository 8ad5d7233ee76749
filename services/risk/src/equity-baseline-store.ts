import { EquityBaseline } from '@ballast/core';
import type { BotStateRepository } from '@ballast/db';

/** The bot_state key of a venue's equity baseline. */
export const equityBaselineKey = (venue: string): string => `risk-equity:${venue}`;

/**
 * Risk's equity baseline (peak, the UTC day and its start, the drawdown and daily-loss halts) as it
 * persists it, one bot_state row per venue account, as the kill switch persists its own (KillStore).
 */
export class EquityBaselineStore {
  constructor(
    private readonly repo: BotStateRepository,
    private readonly venue: string,
  ) {}

  /** The baseline last saved; undefined before the first. */
  async load(): Promise<EquityBaseline | undefined> {
    return (await this.repo.get(equityBaselineKey(this.venue), EquityBaseline))?.value;
  }

  save(baseline: EquityBaseline): Promise<void> {
    return this.repo.set(equityBaselineKey(this.venue), baseline);
  }
}
