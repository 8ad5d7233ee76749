import type { Database } from '@ballast/db';
import type { Kysely } from 'kysely';

export const CONTROL_ACTIONS = ['kill', 'resume'] as const;
export type ControlActionKind = (typeof CONTROL_ACTIONS)[number];
export const CONTROL_OUTCOMES = ['published', 'refused', 'failed'] as const;
export type ControlOutcome = (typeof CONTROL_OUTCOMES)[number];

export interface ControlAction {
  id: string;
  action: ControlActionKind;
  actor: string;
  role: string;
  outcome: ControlOutcome;
  flatten: boolean;
  reason: string;
  commandId: string | null;
  remoteAddress: string;
  at: number;
}

const num = (v: string | number | bigint): number => Number(v);

/** Who asked the gateway for a kill or resume, when, and what came of it; rows are never updated. */
export class ControlLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(a: ControlAction): Promise<void> {
    await this.db
      .insertInto('control_actions')
      .values({
        id: a.id,
        action: a.action,
        actor: a.actor,
        role: a.role,
        outcome: a.outcome,
        flatten: a.flatten,
        reason: a.reason,
        command_id: a.commandId,
        remote_address: a.remoteAddress,
        created_at: a.at,
      })
      .execute();
  }

  /** Whether a command with this id was published (a keyed retry then repeats the answer, not the command). */
  async wasPublished(commandId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('control_actions')
      .select('id')
      .where('command_id', '=', commandId)
      .where('outcome', '=', 'published')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async recent(limit = 100): Promise<ControlAction[]> {
    const rows = await this.db
      .selectFrom('control_actions')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      action: r.action as ControlActionKind,
      actor: r.actor,
      role: r.role,
      outcome: r.outcome as ControlOutcome,
      flatten: r.flatten,
      reason: r.reason,
      commandId: r.command_id,
      remoteAddress: r.remote_address,
      at: num(r.created_at),
    }));
  }
}
