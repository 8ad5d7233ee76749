import type { Clock } from '@ballast/contracts';
import { BotStateRepository, type Database } from '@ballast/db';
import type { Kysely } from 'kysely';
import { botStateDecided } from '../decided-store';

/**
 * Forgets what risk decided on Binance, as a new deployment starts: an approval an earlier test left
 * awaiting its order would otherwise hold its room in the next test's risk (as it does across a restart).
 */
export function forgetDecisions(db: Kysely<Database>, clock: Clock): Promise<void> {
  return botStateDecided(new BotStateRepository(db, clock), 'binance').save([]);
}
