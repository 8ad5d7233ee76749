import { randomBytes } from 'node:crypto';
import { type Clock, type IdGenerator, uuidv7 } from '@ballast/contracts';

/** Live default: time-ordered UUIDv7 from the injected clock and crypto random bytes. */
export function uuidv7Ids(clock: Clock): IdGenerator {
  return () => uuidv7(clock.now(), randomBytes(10));
}
