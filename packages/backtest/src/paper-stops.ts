import type { IdGenerator } from '@ballast/contracts';
import type { MarketRules } from '@ballast/core';
import { PaperStopVenue } from '@ballast/exchange';
import type { StopsDeps } from '@ballast/stops-service';

/** Resting stop orders of the paper account, with rules from the run's market definitions. */
export function paperStops(
  venue: string,
  rules: (symbol: string) => MarketRules,
  ids: IdGenerator,
): NonNullable<StopsDeps['venue']> {
  return new PaperStopVenue({ venue, rules, ids });
}
