import type { StopRecordStore } from '../stop-manager';

/** protective_stops in PostgreSQL, whose reads and writes fail when told (a connection lost). */
export class FaultyRecords implements StopRecordStore {
  /** Writes still to fail. */
  failSaves = 0;
  /** Reads of one row still to fail. */
  failGets = 0;

  constructor(private readonly inner: StopRecordStore) {}

  async save(...args: Parameters<StopRecordStore['save']>): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new Error('Connection terminated unexpectedly');
    }
    await this.inner.save(...args);
  }

  async get(positionId: string) {
    if (this.failGets > 0) {
      this.failGets--;
      throw new Error('Connection terminated unexpectedly');
    }
    return this.inner.get(positionId);
  }

  active(exchange?: string) {
    return this.inner.active(exchange);
  }
}
