import type { Clock } from '@ballast/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import { toNumber } from '../to-number';

export type ReconVenueStatus = 'reconciled' | 'unreconciled' | 'unknown';

export type ReconState = {
  venue: string;
  cursors: Record<string, string | null>;
  baseline: Record<string, number> | null;
  status: ReconVenueStatus;
  lastCleanAt: number | null;
  /** Epoch ms of the venue's first run: trades from before it are the account's history. */
  historyBefore: number | null;
  /** Epoch ms of the balance read `baseline` holds; null before the first, or stored before it was kept. */
  baselineAt: number | null;
};

export type ReconLogEntry = {
  venue: string;
  runId: string;
  kind: string;
  driftKey: string;
  action: string;
  /** `superseded`: not written, the record changed after it was read (read again next pass). */
  outcome: 'applied' | 'failed' | 'noted' | 'superseded';
  evidence: string;
  before: unknown;
  after: unknown;
};

const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** Reconciliation's own records: where each venue's trade reads resume, and what every run did. */
export class ReconRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async state(venue: string): Promise<ReconState | undefined> {
    const row = await this.db
      .selectFrom('recon_state')
      .selectAll()
      .where('venue', '=', venue)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      venue,
      cursors: (parse(row.cursors) ?? {}) as Record<string, string | null>,
      baseline: (parse(row.baseline) ?? null) as Record<string, number> | null,
      status: row.status as ReconVenueStatus,
      lastCleanAt: row.last_clean_at === null ? null : toNumber(row.last_clean_at),
      historyBefore: row.history_before === null ? null : toNumber(row.history_before),
      baselineAt: row.baseline_at === null ? null : toNumber(row.baseline_at),
    };
  }

  async saveState(state: ReconState): Promise<void> {
    const values = {
      cursors: toJsonText(state.cursors, 'recon cursors'),
      baseline: toJsonText(state.baseline, 'recon baseline'),
      status: state.status,
      last_clean_at: state.lastCleanAt,
      history_before: state.historyBefore,
      baseline_at: state.baselineAt,
      updated_at: new Date(this.clock.now()),
    };
    await this.db
      .insertInto('recon_state')
      .values({ venue: state.venue, ...values })
      .onConflict((oc) => oc.column('venue').doUpdateSet(values))
      .execute();
  }

  async log(entries: readonly ReconLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = new Date(this.clock.now());
    await this.db
      .insertInto('recon_log')
      .values(
        entries.map((e) => ({
          venue: e.venue,
          run_id: e.runId,
          kind: e.kind,
          drift_key: e.driftKey,
          action: e.action,
          outcome: e.outcome,
          evidence: e.evidence,
          before: toJsonText(e.before ?? null, 'recon before'),
          after: toJsonText(e.after ?? null, 'recon after'),
          created_at: now,
        })),
      )
      .execute();
  }

  /** Drifts already settled with this action (e.g. external orders left alone): key and `after`. */
  async settledWith(venue: string, action: string): Promise<Array<{ driftKey: string; after: unknown }>> {
    const rows = await this.db
      .selectFrom('recon_log')
      .select(['drift_key', 'after'])
      .where('venue', '=', venue)
      .where('action', '=', action)
      .where('outcome', '=', 'applied')
      .execute();
    return rows.map((r) => ({ driftKey: r.drift_key, after: parse(r.after) }));
  }

  async entries(venue: string): Promise<ReconLogEntry[]> {
    const rows = await this.db
      .selectFrom('recon_log')
      .selectAll()
      .where('venue', '=', venue)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      venue: r.venue,
      runId: r.run_id,
      kind: r.kind,
      driftKey: r.drift_key,
      action: r.action,
      outcome: r.outcome as ReconLogEntry['outcome'],
      evidence: r.evidence,
      before: parse(r.before),
      after: parse(r.after),
    }));
  }
}
