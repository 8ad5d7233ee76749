import type { Kysely } from 'kysely';
import type { Database } from '../database';

export interface AgentLesson {
  readonly id: string;
  readonly symbol: string;
  readonly setup: string;
  readonly lesson: string;
  readonly source: string;
  readonly correlationId: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface LessonQuery {
  readonly symbol: string;
  readonly setup: string;
  readonly limit: number;
}

/** Lessons written by the reflector, read back newest first for one symbol and setup. */
export class AgentLessonRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(lesson: AgentLesson): Promise<void> {
    await this.db
      .insertInto('agent_lessons')
      .values({
        id: lesson.id,
        symbol: lesson.symbol,
        setup: lesson.setup,
        lesson: lesson.lesson,
        source: lesson.source,
        correlation_id: lesson.correlationId,
        created_at: new Date(lesson.createdAt),
      })
      .execute();
  }

  async recent(query: LessonQuery): Promise<AgentLesson[]> {
    const rows = await this.db
      .selectFrom('agent_lessons')
      .selectAll()
      .where('symbol', '=', query.symbol)
      .where('setup', '=', query.setup)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      symbol: r.symbol,
      setup: r.setup,
      lesson: r.lesson,
      source: r.source,
      correlationId: r.correlation_id,
      createdAt: r.created_at.getTime(),
    }));
  }
}
