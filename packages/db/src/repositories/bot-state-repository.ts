import type { Clock } from '@ballast/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { toJsonText } from '../json-text';

/** Anything that turns unknown JSON into a T or throws; a zod schema is one. */
export interface Parser<T> {
  parse(input: unknown): T;
}

export interface StoredState<T> {
  readonly value: T;
  /** Epoch ms of the last write, from the injected clock. */
  readonly updatedAt: number;
}

/** Named JSON values that must survive a restart; reads are checked against the caller's schema. */
export class BotStateRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async set(key: string, value: unknown): Promise<void> {
    const json = toJsonText(value, `bot_state "${key}"`);
    const updatedAt = new Date(this.clock.now());
    await this.db
      .insertInto('bot_state')
      .values({ key, value: json, updated_at: updatedAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: updatedAt }))
      .execute();
  }

  /** The stored value parsed by `parser`, or undefined when the key was never set. */
  async get<T>(key: string, parser: Parser<T>): Promise<StoredState<T> | undefined> {
    const row = await this.db
      .selectFrom('bot_state')
      .select(['value', 'updated_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return { value: parseStored(key, row.value, parser), updatedAt: row.updated_at.getTime() };
  }

  /** Every key set that starts with `prefix`, sorted. */
  async keys(prefix: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bot_state')
      .select('key')
      .where('key', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
      .orderBy('key')
      .execute();
    return rows.map((r) => r.key);
  }
}

function parseStored<T>(key: string, value: unknown, parser: Parser<T>): T {
  try {
    return parser.parse(value);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DbError('invalid_state', `bot_state "${key}" does not match the expected schema: ${why}`);
  }
}
