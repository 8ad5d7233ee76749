import { SeededRandom, seededIds, VirtualClock } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { seededBusIds } from './seeded-bus-ids';

describe('seededBusIds', () => {
  it("draws exactly core's seeded ids, across many ids, milliseconds and streams", () => {
    for (const [seed, stream] of [
      [1, 4],
      [7, 11],
      [123_456, 2],
    ] as const) {
      const clock = new VirtualClock(Date.UTC(2019, 0, 1));
      const fast = seededBusIds(clock, seed, stream);
      const reference = seededIds(clock, new SeededRandom(seed * 31 + stream));
      for (let i = 0; i < 5_000; i++) {
        if (i % 7 === 0) clock.set(clock.now() + 3_600_000 + i);
        expect(fast()).toBe(reference());
      }
    }
  });
});
