import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, timerMs, timerMsOrZero } from './timer-ms';

describe('timerMs', () => {
  it('takes a delay up to 2147483647 ms, what a Node timer holds, and refuses one more, naming the bound', () => {
    expect(timerMs(100).parse(String(MAX_TIMER_MS))).toBe(2_147_483_647);
    expect(
      timerMs(100)
        .safeParse(String(MAX_TIMER_MS + 1))
        .error?.issues.map((i) => i.message),
    ).toEqual(['at most 2147483647 ms (about 24.8 days): a longer timer fires at once']);
  });

  it('falls back to its default, or to undefined without one; 0 only where the reader takes it for none', () => {
    expect([timerMs(100).parse(undefined), timerMs().parse(undefined)]).toEqual([100, undefined]);
    expect(timerMs(100).safeParse('0').success).toBe(false);
    expect([timerMsOrZero(100).parse('0'), timerMsOrZero().parse(undefined)]).toEqual([0, undefined]);
    expect(timerMsOrZero().safeParse(String(MAX_TIMER_MS + 1)).success).toBe(false);
  });
});
