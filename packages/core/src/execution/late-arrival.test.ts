import { describe, expect, it } from 'vitest';
import { latestSigning, mayStillLand } from './late-arrival';

const window = { recvWindowMs: 10_000, clockSkewMs: 1_000 };

describe('mayStillLand', () => {
  it('holds while the signed request is within its recvWindow and the skew allowance', () => {
    expect(mayStillLand(1_000, 1_150, window)).toBe(true);
    expect(mayStillLand(1_000, 12_000, window)).toBe(true);
  });

  it('ends once the venue would refuse the request as too old', () => {
    expect(mayStillLand(1_000, 12_001, window)).toBe(false);
  });
});

describe('latestSigning', () => {
  it('is the stamp of a send of this run (taken once it failed)', () => {
    expect(latestSigning(5_000, 4_000)).toBe(5_000);
  });

  it('is the run’s start for a stamp of an earlier run: that send may have been signed later', () => {
    expect(latestSigning(1_000, 4_000)).toBe(4_000);
  });

  it('is the run’s start for a slice never stamped (left sending before the stamp was kept)', () => {
    expect(latestSigning(null, 4_000)).toBe(4_000);
  });
});
