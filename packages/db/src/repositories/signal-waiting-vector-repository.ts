import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';

/** One cycle of the signals service: an exchange's timeframe at one bar open time (epoch ms). */
export interface CycleKey {
  exchange: string;
  timeframe: string;
  openTime: number;
}

/** A vector waiting in its cycle: its envelope and its candidates as JSON (the service checks them). */
export interface StoredWaitingVector {
  envelope: unknown;
  candidates: unknown;
}

/** The vectors waiting in open signals cycles (signal_waiting_vectors). */
export class SignalWaitingVectorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Keeps a vector of its cycle; one kept already (a redelivery) stays as it was. */
  async keep(cycle: CycleKey & { symbol: string }, waiting: StoredWaitingVector): Promise<void> {
    const what = `waiting vector ${cycle.exchange} ${cycle.symbol} ${cycle.timeframe} ${cycle.openTime}`;
    await this.db
      .insertInto('signal_waiting_vectors')
      .values({
        exchange: cycle.exchange,
        timeframe: cycle.timeframe,
        open_time: cycle.openTime,
        symbol: cycle.symbol,
        envelope: toJsonText(waiting.envelope, what),
        candidates: toJsonText(waiting.candidates, what),
      })
      .onConflict((oc) => oc.columns(['exchange', 'timeframe', 'open_time', 'symbol']).doNothing())
      .execute();
  }

  /** Forgets the cycle's vectors (its candidates are out). */
  async settled(cycle: CycleKey): Promise<void> {
    await this.db
      .deleteFrom('signal_waiting_vectors')
      .where('exchange', '=', cycle.exchange)
      .where('timeframe', '=', cycle.timeframe)
      .where('open_time', '=', cycle.openTime)
      .execute();
  }

  /** Every vector kept, oldest bar first. */
  async all(): Promise<StoredWaitingVector[]> {
    const rows = await this.db
      .selectFrom('signal_waiting_vectors')
      .select(['envelope', 'candidates'])
      .orderBy('open_time')
      .orderBy('exchange')
      .orderBy('timeframe')
      .orderBy('symbol')
      .execute();
    return rows.map((row) => ({ envelope: row.envelope, candidates: row.candidates }));
  }
}
