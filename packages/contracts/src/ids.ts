/**
 * UUIDv7 from an explicit time and 10 random bytes, so callers inject both
 * (a virtual clock and a seeded source make backtests repeatable).
 */
export function uuidv7(epochMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new Error('uuidv7 needs 10 random bytes');
  const bytes = new Uint8Array(16);
  let ms = Math.floor(epochMs);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Deterministic id for things that must repeat on replay (e.g. client order ids from intent ids). */
export function derivedId(...parts: Array<string | number>): string {
  return hexOf(fnv1a(parts.join('|'), FNV_START));
}

/**
 * `suffixes.map((s) => derivedId(...parts, s))`, hashing the shared parts once: a derived UUID is two
 * ids of the same parts, and a replay derives one per published vector.
 */
export function derivedIds(parts: ReadonlyArray<string | number>, suffixes: readonly string[]): string[] {
  const shared = parts.length > 0 ? fnv1a(`${parts.join('|')}|`, FNV_START) : FNV_START;
  return suffixes.map((suffix) => hexOf(fnv1a(suffix, shared)));
}

const UUID_HALVES = ['a', 'b'];

/** A UUID-shaped id derived from inputs, for bus messages that must de-duplicate on replay. */
export function derivedUuid(...parts: Array<string | number>): string {
  const hex = derivedIds(parts, UUID_HALVES).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// FNV-1a 64-bit over the joined parts, as two 32-bit halves: stable, dependency-free, short.
type FnvState = readonly [h1: number, h2: number];
const FNV_START: FnvState = [0x811c9dc5, 0x01000193];

function fnv1a(text: string, [start1, start2]: FnvState): FnvState {
  let h1 = start1;
  let h2 = start2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return [h1, h2];
}

/**
 * Two hex digits per byte value: ids on hot paths are written byte by byte from it, since
 * `toString(16).padStart(…)` was most of a derived id's cost.
 */
export const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).padStart(2, '0'),
);

function hexOf([h1, h2]: FnvState): string {
  return hex32(h1) + hex32(h2);
}

function hex32(word: number): string {
  const hex = HEX_BYTES;
  return hex[word >>> 24]! + hex[(word >>> 16) & 0xff]! + hex[(word >>> 8) & 0xff]! + hex[word & 0xff]!;
}
