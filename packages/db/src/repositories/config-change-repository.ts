import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { toJsonText } from '../json-text';
import { finite, toNumber } from '../to-number';

export type ConfigChangeKind = 'risk_limits' | 'strategy_enabled' | 'lifecycle' | 'readiness_override';
export const CONFIG_CHANGE_KINDS: readonly ConfigChangeKind[] = [
  'risk_limits',
  'strategy_enabled',
  'lifecycle',
  'readiness_override',
];

/** One changed leaf: its dotted path, and its JSON value before and after (null when absent). */
export interface ConfigDiffEntry {
  path: string;
  from: unknown;
  to: unknown;
}

export interface ConfigChange {
  id: string;
  kind: ConfigChangeKind;
  subject: string;
  actor: string;
  /** Where it was made: the CLI, the gateway, or the risk service's automatic lifecycle review. */
  source: 'cli' | 'gateway' | 'risk';
  reason: string;
  diff: ConfigDiffEntry[];
  figures: Record<string, unknown> | null;
  createdAt: number;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function leaves(value: unknown, path: string, out: Map<string, unknown>): void {
  if (isPlain(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else if (value !== undefined) out.set(path, value);
}

/** The leaves that differ between two configurations (arrays whole, null same as absent), in path order. */
export function diffConfig(before: unknown, after: unknown): ConfigDiffEntry[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(before, '', a);
  leaves(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => JSON.stringify(a.get(p) ?? null) !== JSON.stringify(b.get(p) ?? null))
    .map((path) => ({ path, from: a.get(path) ?? null, to: b.get(path) ?? null }));
}

function required(value: string, field: string): string {
  if (value.trim() === '') throw new DbError('invalid_value', `a config change needs a non-empty ${field}`);
  return value;
}

const parsed = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** The configuration audit trail: appended, never updated. */
export class ConfigChangeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(change: ConfigChange): Promise<void> {
    if (!CONFIG_CHANGE_KINDS.includes(change.kind))
      throw new DbError('invalid_value', `unknown config change kind ${change.kind}`);
    await this.db
      .insertInto('config_changes')
      .values({
        id: change.id,
        kind: change.kind,
        subject: required(change.subject, 'subject'),
        actor: required(change.actor, 'actor'),
        source: change.source,
        reason: required(change.reason, 'reason'),
        diff: toJsonText(change.diff, 'diff'),
        figures: change.figures === null ? null : toJsonText(change.figures, 'figures'),
        created_at: finite(change.createdAt, 'createdAt'),
      })
      .execute();
  }

  /** Newest first; only `subject`'s when given. */
  async recent(limit = 100, subject?: string): Promise<ConfigChange[]> {
    let q = this.db.selectFrom('config_changes').selectAll();
    if (subject !== undefined) q = q.where('subject', '=', subject);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as ConfigChangeKind,
      subject: r.subject,
      actor: r.actor,
      source: r.source as ConfigChange['source'],
      reason: r.reason,
      diff: parsed(r.diff) as ConfigDiffEntry[],
      figures: r.figures === null ? null : (parsed(r.figures) as Record<string, unknown>),
      createdAt: toNumber(r.created_at),
    }));
  }
}
