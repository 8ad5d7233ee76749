import type { Clock } from '@ballast/contracts';
import type { BotStateRepository, Database } from '@ballast/db';
import { PaperAccountRepository } from '@ballast/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';

/** The venue an account id trades on: the paper broker, or an exchange through ccxt. */
export const VenueKind = z.enum(['paper', 'ccxt']);
export type VenueKind = z.infer<typeof VenueKind>;

const StoredVenueKind = z.object({ kind: VenueKind });

/**
 * Which kind of venue a service last started on under one account id (bot_state
 * `venue-kind:<service>:<venue>`): the paper account and the live one share the id (ORDERS_VENUE,
 * STOPS_VENUE), so the records a service keeps under it say nothing of which account they are (ADR 22).
 */
export class VenueKindRecord {
  private readonly key: string;

  constructor(
    private readonly state: BotStateRepository,
    service: string,
    readonly venue: string,
  ) {
    this.key = `venue-kind:${service}:${venue}`;
  }

  /** The kind recorded at the service's last start; undefined before the first (or a database older than this record). */
  async last(): Promise<VenueKind | undefined> {
    return (await this.state.get(this.key, StoredVenueKind))?.value.kind;
  }

  async record(kind: VenueKind): Promise<void> {
    await this.state.set(this.key, { kind });
  }
}

/**
 * Whether the records a service keeps under `record.venue` may be the paper account's: the service last
 * started on paper or, nothing recorded (a database from before the record), the paper broker holds an
 * account under that id.
 */
export async function mayHoldPaperRecords(
  record: VenueKindRecord,
  db: Kysely<Database>,
  clock: Clock,
): Promise<boolean> {
  const last = await record.last();
  if (last) return last === 'paper';
  return new PaperAccountRepository(db, clock).held(record.venue);
}
