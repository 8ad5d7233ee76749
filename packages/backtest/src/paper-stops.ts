import type { IdGenerator } from '@ballast/contracts';
import type { MarketRules } from '@ballast/core';
import type { StopsDeps } from '@ballast/stops-service';
// The stops service keeps its paper stop venue beside it and exports only its start function; the
// backtest needs that same venue offline, so it reaches into the service (see ADR 0005).
import { PaperStopVenue } from '../../../services/stops/src/paper-stop-venue';

/** Resting stop orders of the paper account, with rules from the run's market definitions. */
export function paperStops(
  venue: string,
  rules: (symbol: string) => MarketRules,
  ids: IdGenerator,
): NonNullable<StopsDeps['venue']> {
  return new PaperStopVenue({ venue, rules, ids });
}
