import { uuidv7Formatter } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import { SeededRandom } from '@ballast/core';

/**
 * Ids for one service's bus in a run, from the run's seed and a per-service stream number: the same
 * run draws the same ids. Equal to core's `seededIds(clock, new SeededRandom(seed * 31 + stream))`
 * (`seeded-bus-ids.test.ts`), written by the bus's UUIDv7 formatter, which spares the byte array and
 * hex join of contracts' `uuidv7`: a replay draws a few ids per candle.
 */
export function seededBusIds(clock: Clock, seed: number, stream: number): IdGenerator {
  const random = new SeededRandom(seed * 31 + stream);
  const format = uuidv7Formatter();
  return () => format(clock.now(), random.bytes(10), 0);
}
