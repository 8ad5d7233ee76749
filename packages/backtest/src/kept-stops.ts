import {
  type FlattenHoldStore,
  keptFlattenHold,
  type PendingIntentStore,
  type StopRecord,
  type StopRecordStore,
} from '@ballast/stops-service';

/**
 * The stops service's records, pending intents and flatten hold in a run, kept in memory: a run never restarts, so
 * they are only read back within it (a later position on a symbol carries on its slot's sequence), and
 * its database starts empty. Writing them to the tables was the most frequent statement of a replay once
 * stops trail (two upserts per move) and served nothing.
 */
export function keptStops(): {
  records: StopRecordStore & {
    /** `active`'s records uncopied, for a reader that changes nothing (the runtime, per bar and print). */
    activeShared(exchange?: string): Promise<readonly StopRecord[]>;
  };
  pending: PendingIntentStore;
  holds: FlattenHoldStore;
} {
  const records = new Map<string, { status: 'active' | 'closed'; state: StopRecord; exchange: string }>();
  // The active ones by key: a run closes every record it opens, and `active` is read per bar and per
  // print, so it does not scan the closed ones of the whole run.
  const active = new Map<string, { state: StopRecord; exchange: string }>();
  let pending: Awaited<ReturnType<PendingIntentStore['load']>> = [];
  const activeStates = (exchange?: string): StopRecord[] =>
    [...active.entries()]
      .filter(([, r]) => !exchange || r.exchange === exchange)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, r]) => r.state);
  return {
    records: {
      async save(key, status, state) {
        // A copy: the manager goes on changing its record, as a row would not.
        const kept = { status, state: structuredClone(state), exchange: key.exchange };
        records.set(key.positionId, kept);
        if (status === 'active') active.set(key.positionId, kept);
        else active.delete(key.positionId);
      },
      async get(positionId) {
        const kept = records.get(positionId);
        return kept && { status: kept.status, state: structuredClone(kept.state) };
      },
      async active(exchange) {
        return activeStates(exchange).map((state) => structuredClone(state));
      },
      async activeShared(exchange) {
        return activeStates(exchange);
      },
    },
    pending: {
      load: async () => [...pending],
      save: async (next) => {
        pending = [...next];
      },
    },
    holds: keptFlattenHold(),
  };
}
