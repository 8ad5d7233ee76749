import { randomFillSync } from 'node:crypto';
import { type Clock, HEX_BYTES as HEX, type IdGenerator, uuidv7 } from '@ballast/contracts';

// One crypto call per id cost more than the rest of a market-data publish: draw random bytes for
// many ids at once. Each id still gets 10 fresh bytes that no other id sees.
const IDS_PER_DRAW = 512;
const RANDOM_BYTES_PER_ID = 10;
/** UUIDv7 carries 48 bits of milliseconds. */
const MAX_UUIDV7_MS = 2 ** 48;

/** Live default: UUIDv7 ordered by the injected clock; backtests inject a seeded generator instead. */
export function randomIds(clock: Clock): IdGenerator {
  const pool = new Uint8Array(IDS_PER_DRAW * RANDOM_BYTES_PER_ID);
  let at = pool.length;
  const format = uuidv7Formatter();
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const id = format(clock.now(), pool, at);
    at += RANDOM_BYTES_PER_ID;
    return id;
  };
}

/**
 * Returns a function equal to contracts' `uuidv7(epochMs, random.subarray(offset, offset + 10))`
 * (proved in `random-ids.test.ts`), without allocating bytes; it remembers the last millisecond's
 * hex, since many ids share one.
 */
export function uuidv7Formatter(): (epochMs: number, random: Uint8Array, offset: number) => string {
  let lastMs = Number.NaN;
  let timePrefix = '';
  return (epochMs, random, offset) => {
    const ms = Math.floor(epochMs);
    if (!(ms >= 0 && ms < MAX_UUIDV7_MS) || random.length < offset + RANDOM_BYTES_PER_ID)
      return uuidv7(epochMs, random.subarray(offset, offset + RANDOM_BYTES_PER_ID));
    if (ms !== lastMs) {
      const hex = ms.toString(16).padStart(12, '0');
      timePrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-`;
      lastMs = ms;
    }
    const o = offset;
    return (
      timePrefix +
      HEX[0x70 | ((random[o] as number) & 0x0f)] +
      HEX[random[o + 1] as number] +
      '-' +
      HEX[0x80 | ((random[o + 2] as number) & 0x3f)] +
      HEX[random[o + 3] as number] +
      '-' +
      HEX[random[o + 4] as number] +
      HEX[random[o + 5] as number] +
      HEX[random[o + 6] as number] +
      HEX[random[o + 7] as number] +
      HEX[random[o + 8] as number] +
      HEX[random[o + 9] as number]
    );
  };
}
