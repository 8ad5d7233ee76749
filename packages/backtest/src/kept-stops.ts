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
  records: StopRecordStore;
  pending: PendingIntentStore;
  holds: FlattenHoldStore;
} {
  const records = new Map<string, { status: 'active' | 'closed'; state: StopRecord; exchange: string }>();
  let pending: Awaited<ReturnType<PendingIntentStore['load']>> = [];
  return {
    records: {
      async save(key, status, state) {
        // A copy: the manager goes on changing its record, as a row would not.
        records.set(key.positionId, { status, state: structuredClone(state), exchange: key.exchange });
      },
      async get(positionId) {
        const kept = records.get(positionId);
        return kept && { status: kept.status, state: structuredClone(kept.state) };
      },
      async active(exchange) {
        return [...records.entries()]
          .filter(([, r]) => r.status === 'active' && (!exchange || r.exchange === exchange))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([, r]) => structuredClone(r.state));
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
