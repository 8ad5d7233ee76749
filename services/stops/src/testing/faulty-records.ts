import type { StopRecordStore } from '../stop-manager';

/** protective_stops in PostgreSQL, whose reads and writes fail when told (a connection lost). */
export class FaultyRecords implements StopRecordStore {
  /** Writes still to fail. */
  failSaves = 0;
  /** Reads of one row still to fail. */
  failGets = 0;
  /** Rows whose next read fails (once each), by the start of their key. */
  readonly failNextGetOf = new Set<string>();

  constructor(private readonly inner: StopRecordStore) {}

  async save(...args: Parameters<StopRecordStore['save']>): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new Error('Connection terminated unexpectedly');
    }
    await this.inner.save(...args);
  }

  async get(positionId: string) {
    const failing = [...this.failNextGetOf].find((start) => positionId.startsWith(start));
    if (failing !== undefined) this.failNextGetOf.delete(failing);
    if (failing !== undefined || this.failGets > 0) {
      if (failing === undefined) this.failGets--;
      throw new Error('Connection terminated unexpectedly');
    }
    return this.inner.get(positionId);
  }

  active(exchange?: string) {
    return this.inner.active(exchange);
  }
}
