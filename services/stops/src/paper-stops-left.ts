import type { Clock } from '@ballast/contracts';
import { BotStateRepository, type Database } from '@ballast/db';
import {
  mayHoldPaperRecords,
  StartRefusedError,
  type VenueKind,
  VenueKindRecord,
} from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import type { StopRecordStore } from './stop-context';
import type { StopRecord } from './stop-record';

/** A paper stop record a live start would take over: its position and the stop it wants. */
export type PaperStop = Pick<StopRecord, 'positionId' | 'symbol' | 'side' | 'qty' | 'stopPrice'>;

/**
 * A live start refused because the database still holds active stop records of the paper account under
 * the same account id (STOPS_VENUE): the live service would find their stops missing on the exchange and
 * place them there, selling coins no paper position holds (ADR 22).
 */
export class PaperStopsLeftError extends StartRefusedError {
  override readonly name = 'PaperStopsLeftError';
  readonly reason = 'paper_stops_active';

  constructor(
    readonly venue: string,
    readonly records: readonly PaperStop[],
  ) {
    const named = records.map((r) => `${r.positionId} (${r.side} ${r.qty} ${r.symbol}, stop ${r.stopPrice})`);
    super(
      `live stops on ${venue} refused: the paper account under the same id still has active stop records ` +
        `${named.join(', ')}; flatten on paper first (\`pnpm ballast kill --flatten\` with ` +
        'STOPS_VENUE_KIND=paper and ORDERS_VENUE_KIND=paper), wait for the positions to close, start ' +
        'live, then `pnpm ballast resume --confirm`: the paper history is kept',
    );
  }
}

/**
 * The paper and the live account share the venue's id: a live start takes over no active stop record
 * the stops service kept while it last ran on paper (or, nothing recorded: a database from before the
 * record, while the paper broker holds that account), and each start records the kind it runs on.
 */
export async function claimStopsAccount(deps: {
  db: Kysely<Database>;
  clock: Clock;
  kind: VenueKind;
  venue: string;
  store: StopRecordStore;
}): Promise<void> {
  const record = new VenueKindRecord(new BotStateRepository(deps.db, deps.clock), 'stops', deps.venue);
  if (deps.kind === 'ccxt' && (await mayHoldPaperRecords(record, deps.db, deps.clock))) {
    const active = await deps.store.active(deps.venue);
    if (active.length > 0)
      throw new PaperStopsLeftError(
        deps.venue,
        active.map(({ positionId, symbol, side, qty, stopPrice }) => ({
          positionId,
          symbol,
          side,
          qty,
          stopPrice,
        })),
      );
  }
  await record.record(deps.kind);
}
