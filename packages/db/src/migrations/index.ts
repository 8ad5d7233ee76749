import type { Migration } from 'kysely';
import * as candles from './0001-candles';
import * as candlesHypertable from './0002-candles-hypertable';
import * as botState from './0003-bot-state';
import * as eventJournal from './0004-event-journal';

/**
 * Every migration, in code so it ships with the package (no file-system scan at run time).
 * The Migrator runs them in name order; to add one, write `000N-<what>.ts` and list it here.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_candles': candles,
  '0002_candles_hypertable': candlesHypertable,
  '0003_bot_state': botState,
  '0004_event_journal': eventJournal,
};
