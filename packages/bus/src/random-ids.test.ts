import { randomBytes } from 'node:crypto';
import { EnvelopeHeader, uuidv7 } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { randomIds, uuidv7Formatter } from './random-ids';

describe('randomIds', () => {
  it('formats exactly what contracts uuidv7 formats, for the same time and bytes', () => {
    const format = uuidv7Formatter();
    const times = [
      0,
      1,
      255,
      256,
      1_617_566_591_307,
      1_617_566_591_307.9,
      2 ** 48 - 1,
      2 ** 48,
      -5,
      Number.NaN,
    ];
    for (const time of times) {
      for (let i = 0; i < 200; i++) {
        const bytes = randomBytes(40);
        const offset = i % 31;
        expect(format(time, bytes, offset)).toBe(uuidv7(time, bytes.subarray(offset, offset + 10)));
      }
    }
    const edges = Uint8Array.from([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ]);
    expect(format(1_700_000_000_000, edges, 0)).toBe(uuidv7(1_700_000_000_000, edges.subarray(0, 10)));
    expect(format(1_700_000_000_000, edges, 10)).toBe(uuidv7(1_700_000_000_000, edges.subarray(10)));
  });

  it('gives distinct, valid, time-ordered UUIDv7s across many random draws', () => {
    let now = 1_700_000_000_000;
    const ids = randomIds({ now: () => now });
    const seen = new Set<string>();
    let previous = '';
    for (let i = 0; i < 20_000; i++) {
      if (i % 1_000 === 0) now += 1;
      const id = ids();
      expect(EnvelopeHeader.shape.id.safeParse(id).success).toBe(true);
      expect(id.slice(14, 15)).toBe('7');
      if (i % 1_000 === 0) expect(id > previous).toBe(true);
      previous = id;
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
  });
});
