import { describe, expect, it } from 'vitest';
import { UnusableStreak } from './unusable-streak';

describe('UnusableStreak', () => {
  it('reports once when unusable replies reach the threshold in a row, again only after a usable one', () => {
    const streak = new UnusableStreak(3);
    const seen = [
      'invalid_reply',
      'timeout',
      'truncated',
      'malformed_response',
      'refused',
      'invalid_reply',
      null,
      'refused',
      'refused',
      'refused',
    ] as const;
    expect(seen.map((failure) => streak.record(failure))).toEqual([
      undefined,
      undefined,
      undefined,
      3,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      3,
    ]);
  });
});
