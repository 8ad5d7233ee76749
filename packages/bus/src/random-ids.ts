import { randomBytes } from 'node:crypto';
import { type Clock, type IdGenerator, uuidv7 } from '@ballast/contracts';

/** Live default: UUIDv7 ordered by the injected clock; backtests inject a seeded generator instead. */
export function randomIds(clock: Clock): IdGenerator {
  return () => uuidv7(clock.now(), randomBytes(10));
}
