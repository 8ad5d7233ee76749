import type { Clock } from '@ballast/contracts';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../database';
import { BotStateRepository } from '../repositories/bot-state-repository';
import { readBotStateRow, writeBotStateRow } from './bot-state-rows';
import { type MigratedTestDb, migratedTestDb } from './migrated-test-db';

export interface BotStateBed {
  readonly db: Kysely<Database>;
  readonly state: BotStateRepository;
  /** A row as an earlier release left it (writeBotStateRow). */
  write(key: string, json: string): Promise<void>;
  read(key: string): ReturnType<typeof readBotStateRow>;
}

/**
 * For the calling test file: a migrated database of its own, opened before its tests and dropped after
 * them, with its bot_state on `clock`.
 */
export function botStateBed(label: string, clock: Clock): BotStateBed {
  let opened: MigratedTestDb | undefined;
  beforeAll(async () => {
    opened = await migratedTestDb(label);
  });
  afterAll(() => opened?.close());
  const db = (): Kysely<Database> => {
    if (!opened) throw new Error('botStateBed: the database opens before the tests (beforeAll)');
    return opened.db;
  };
  return {
    get db() {
      return db();
    },
    get state() {
      return new BotStateRepository(db(), clock);
    },
    write: (key, json) => writeBotStateRow(db(), key, json),
    read: (key) => readBotStateRow(db(), key),
  };
}
