import { type Database, SignalDecisionRepository } from '@ballast/db';
import type { Kysely } from 'kysely';
import type { RecordedDecisionRow } from './recorded-verdicts';

/**
 * The decisions the signals service kept from `sinceMs` on, read once in a read-only transaction: a
 * backtest pointed at a deployment's database must not write into it, and the database refuses if
 * anything tried.
 */
export function loadRecordedDecisions(db: Kysely<Database>, sinceMs: number): Promise<RecordedDecisionRow[]> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute((trx) => new SignalDecisionRepository(trx).since(sinceMs));
}
