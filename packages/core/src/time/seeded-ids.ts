import { type Clock, type IdGenerator, uuidv7 } from '@ballast/contracts';
import type { RandomSource } from './seeded-random';

/** UUIDv7 ids from an injected clock and random source: a virtual clock and a seed replay the same ids. */
export function seededIds(clock: Clock, random: RandomSource): IdGenerator {
  return () => uuidv7(clock.now(), random.bytes(10));
}
