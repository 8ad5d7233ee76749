import { EquityBaseline, equityBaselineKey } from '@ballast/core';
import { type BotStateRepository, BotStateValue } from '@ballast/db';

export { equityBaselineKey };

/**
 * Risk's equity baseline (peak, the UTC day and its start, the drawdown and daily-loss halts) as it
 * persists it, one bot_state row per venue account; undefined before the first save.
 */
export class EquityBaselineStore extends BotStateValue<EquityBaseline, undefined> {
  constructor(state: BotStateRepository, venue: string) {
    super(state, equityBaselineKey(venue), EquityBaseline, undefined);
  }
}
