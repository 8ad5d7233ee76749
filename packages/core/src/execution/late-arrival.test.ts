import { describe, expect, it } from 'vitest';
import { mayStillLand } from './late-arrival';

const window = { recvWindowMs: 10_000, clockSkewMs: 1_000 };

describe('mayStillLand', () => {
  it('holds while the signed request is within its recvWindow and the skew allowance', () => {
    expect(mayStillLand(1_000, 1_150, window)).toBe(true);
    expect(mayStillLand(1_000, 12_000, window)).toBe(true);
  });

  it('ends once the venue would refuse the request as too old', () => {
    expect(mayStillLand(1_000, 12_001, window)).toBe(false);
  });

  it('never holds for a slice with no send stamped', () => {
    expect(mayStillLand(null, 1_000, window)).toBe(false);
  });
});
