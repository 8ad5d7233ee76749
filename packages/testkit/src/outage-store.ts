/** A store with a load and a save, as a service keeps one piece of state (the kill switch). */
export interface LoadSave<L, S> {
  load(): Promise<L>;
  save(value: S): Promise<void>;
}

/**
 * `store` as a database that does not answer leaves it: every save refused (counted in `refused`)
 * while `down`, which it is from the start; then passed on (counted in `saved`). Loads go through.
 */
export function outageStore<L, S>(store: LoadSave<L, S>) {
  const outage = {
    down: true,
    refused: 0,
    saved: 0,
    load: () => store.load(),
    save: async (value: S) => {
      if (outage.down) {
        outage.refused++;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
      await store.save(value);
      outage.saved++;
    },
  };
  return outage;
}
