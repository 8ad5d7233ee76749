import { type Database, RiskDecidedRepository } from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * Forgets what risk decided on Binance, as a new deployment starts: an approval an earlier test left
 * awaiting its order would otherwise hold its room in the next test's risk (as it does across a restart).
 */
export function forgetDecisions(db: Kysely<Database>): Promise<void> {
  return new RiskDecidedRepository(db).clear('binance');
}
