import { describe, expect, it } from 'vitest';
import { seededIds } from './seeded-ids';
import { SeededRandom } from './seeded-random';
import { VirtualClock } from './virtual-clock';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function run(seed: number): string[] {
  const clock = new VirtualClock(Date.UTC(2022, 0, 1));
  const nextId = seededIds(clock, new SeededRandom(seed));
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    ids.push(nextId());
    clock.advance(1_000);
  }
  return ids;
}

describe('seededIds', () => {
  it('produces UUIDv7 ids that replay identically from the same clock and seed', () => {
    const ids = run(99);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(run(99)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the virtual clock time in the id prefix', () => {
    const time = Date.UTC(2022, 0, 1);
    const id = seededIds(new VirtualClock(time), new SeededRandom(1))();
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(time);
  });

  it('sorts by time as the clock advances', () => {
    const ids = run(5);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between seeds at the same time', () => {
    expect(run(1)[0]).not.toBe(run(2)[0]);
  });
});
