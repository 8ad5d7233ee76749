import { describe, expect, it } from 'vitest';
import { LatestWriter } from './latest-writer';

/** A store that refuses the first `refusals` writes, then keeps what it is given. */
function flakyStore(refusals: number) {
  const store = {
    written: [] as string[],
    failures: [] as number[],
    refusals,
    write: async (value: string) => {
      if (store.refusals > 0) {
        store.refusals--;
        throw new Error('connection refused');
      }
      store.written.push(value);
    },
  };
  return store;
}

const writerOn = (store: ReturnType<typeof flakyStore>) =>
  new LatestWriter<string>({
    write: store.write,
    failed: (_err, failures) => void store.failures.push(failures),
    random01: () => 0,
  });

describe('LatestWriter', () => {
  it('tries a refused write again until the store takes it, telling each failure', async () => {
    const store = flakyStore(3);
    await writerOn(store).set('killed');
    expect(store.failures).toEqual([1, 2, 3]);
    expect(store.written).toEqual(['killed']);
  });

  it('writes the value set last, and the earlier caller is done once a later value is set', async () => {
    const store = flakyStore(2);
    const writer = writerOn(store);
    const first = writer.set('killed');
    const second = writer.set('resumed');
    await first;
    await second;
    expect(store.written).toEqual(['resumed']);
  });

  it('stops trying when stopped: the value not written is refused to its caller', async () => {
    const store = flakyStore(Number.POSITIVE_INFINITY);
    const writer = new LatestWriter<string>({
      write: store.write,
      failed: (_err, failures) => void store.failures.push(failures),
      random01: () => 1,
      backoff: { baseMs: 60_000, capMs: 60_000 },
    });
    const refused = expect(writer.set('killed')).rejects.toThrow('stopped before the value was written');
    await writer.stop();
    await refused;
    expect(store.failures).toEqual([1]);
    await expect(writer.set('resumed')).rejects.toThrow('stopped');
  });
});
