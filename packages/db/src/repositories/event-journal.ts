import type { Clock, Envelope } from '@ballast/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import type { EventJournalTable } from '../tables/event-journal';
import { finite, toNumber } from '../to-number';

/** An envelope as journaled: the subject it travelled on and when it was recorded. */
export type JournalEntry = Envelope<unknown> & {
  readonly subject: string;
  /** Epoch ms, from the journal's clock. */
  readonly recordedAt: number;
};

export interface ReplayQuery {
  /** Inclusive, epoch ms of event time. */
  readonly fromEventTime: number;
  /** Exclusive. */
  readonly toEventTime: number;
  /** Exact subjects to include; all subjects when omitted. */
  readonly subjects?: readonly string[];
}

const DEFAULT_PAGE_SIZE = 1_000;

/** The audit trail of bus messages: append-once by envelope id, read by trade or by time for replay. */
export class EventJournal {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Records the envelope unless its id is already journaled; true when this call recorded it. */
  async append(subject: string, envelope: Envelope<unknown>): Promise<boolean> {
    const inserted = await this.db
      .insertInto('event_journal')
      .values({
        id: envelope.id,
        subject,
        type: envelope.type,
        version: envelope.version,
        event_time: finite(envelope.eventTime, 'eventTime'),
        emitted_at: finite(envelope.emittedAt, 'emittedAt'),
        source: envelope.source,
        correlation_id: envelope.correlationId,
        causation_id: envelope.causationId,
        payload: toJsonText(envelope.payload, `payload of ${envelope.id}`),
        recorded_at: new Date(this.clock.now()),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      // Row count is not reported alike by pg and PGlite; a returned row is.
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Everything that happened for one trade idea, in event-time order. */
  async byCorrelationId(correlationId: string): Promise<JournalEntry[]> {
    const rows = await this.db
      .selectFrom('event_journal')
      .selectAll()
      .where('correlation_id', '=', correlationId)
      .orderBy('event_time')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  /** Envelopes in event-time order (ties by id), read page by page so a long replay stays in bounds. */
  async *replay(query: ReplayQuery, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<JournalEntry> {
    let after: { eventTime: number; id: string } | undefined;
    for (;;) {
      const page = await this.page(query, after, pageSize);
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = { eventTime: last.eventTime, id: last.id };
    }
  }

  private async page(
    query: ReplayQuery,
    after: { eventTime: number; id: string } | undefined,
    limit: number,
  ): Promise<JournalEntry[]> {
    let q = this.db
      .selectFrom('event_journal')
      .selectAll()
      .where('event_time', '>=', query.fromEventTime)
      .where('event_time', '<', query.toEventTime);
    if (query.subjects) {
      if (query.subjects.length === 0) return [];
      q = q.where('subject', 'in', [...query.subjects]);
    }
    if (after) {
      q = q.where((eb) => eb(eb.refTuple('event_time', 'id'), '>', eb.tuple(after.eventTime, after.id)));
    }
    const rows = await q.orderBy('event_time').orderBy('id').limit(limit).execute();
    return rows.map(fromRow);
  }
}

function fromRow(row: Selectable<EventJournalTable>): JournalEntry {
  return {
    id: row.id,
    subject: row.subject,
    type: row.type,
    version: row.version,
    eventTime: toNumber(row.event_time),
    emittedAt: toNumber(row.emitted_at),
    source: row.source,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    payload: row.payload,
    recordedAt: row.recorded_at.getTime(),
  };
}
