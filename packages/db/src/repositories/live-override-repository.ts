import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { toJsonText } from '../json-text';
import { finite, toNumber } from '../to-number';

export interface LiveOverride {
  id: string;
  strategy: string;
  reason: string;
  by: string;
  /** The readiness criteria that were red when it was recorded. */
  redCriteria: string[];
  createdAt: number;
  /** Past it the override no longer keeps the strategy live (epoch ms); null when recorded without one. */
  expiresAt: number | null;
}

function required(value: string, field: string): string {
  if (value.trim() === '') throw new DbError('invalid_value', `a live override needs a non-empty ${field}`);
  return value;
}

/** Who let which strategy go live against red readiness criteria, when and why; never updated. */
export class LiveOverrideRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(override: LiveOverride): Promise<void> {
    await this.db
      .insertInto('live_overrides')
      .values({
        id: override.id,
        strategy: required(override.strategy, 'strategy'),
        reason: required(override.reason, 'reason'),
        overridden_by: required(override.by, 'by'),
        red_criteria: toJsonText(override.redCriteria, 'redCriteria'),
        created_at: finite(override.createdAt, 'createdAt'),
        expires_at: override.expiresAt === null ? null : finite(override.expiresAt, 'expiresAt'),
      })
      .execute();
  }

  /** The most recent override for the strategy, or undefined. */
  async latest(strategy: string): Promise<LiveOverride | undefined> {
    const row = await this.db
      .selectFrom('live_overrides')
      .selectAll()
      .where('strategy', '=', strategy)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!row) return undefined;
    const criteria = typeof row.red_criteria === 'string' ? JSON.parse(row.red_criteria) : row.red_criteria;
    return {
      id: row.id,
      strategy: row.strategy,
      reason: row.reason,
      by: row.overridden_by,
      redCriteria: Array.isArray(criteria) ? criteria.map(String) : [],
      createdAt: toNumber(row.created_at),
      expiresAt: row.expires_at === null ? null : toNumber(row.expires_at),
    };
  }
}
