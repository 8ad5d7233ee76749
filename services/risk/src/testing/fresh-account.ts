import { type Database, RiskDecidedRepository } from '@ballast/db';
import type { Kysely } from 'kysely';
import { equityBaselineKey } from '../equity-baseline-store';
import { feedStatesKey } from '../feed-states-store';

/**
 * Forgets what risk kept of its Binance account, as on a new account: what it decided (an approval an
 * earlier test left awaiting its order would otherwise hold its room in the next test's risk, as it does
 * across a restart), its equity baseline (an earlier test's peak, day start and halts) and the markets'
 * feed states (an earlier test's stale market).
 */
export async function forgetAccount(db: Kysely<Database>): Promise<void> {
  await new RiskDecidedRepository(db).clear('binance');
  await db
    .deleteFrom('bot_state')
    .where('key', 'in', [equityBaselineKey('binance'), feedStatesKey('binance')])
    .execute();
}
