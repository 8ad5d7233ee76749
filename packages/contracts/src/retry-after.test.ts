import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after';

// RFC 9110 §10.2.3's own example date, read at a clock two minutes before it.
const now = Date.UTC(2015, 9, 21, 7, 26, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds, what Binance and Bybit send', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date as the wait from the clock, in every form RFC 9110 asks a recipient to accept', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toBe(120_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 30))).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2015 00:00:00 GMT', Date.UTC(2014, 11, 31, 23, 59, 59))).toBe(1_000);
  });

  it('takes a date already past as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:25:00 GMT', now)).toBe(0);
  });

  it('gives null for no header, garbage, a negative or fractional delay, or an impossible date', () => {
    for (const value of [
      undefined,
      '',
      'soon',
      '-5',
      '1.5',
      'Wed, 31 Feb 2015 07:28:00 GMT',
      'Wed, 21 Oct 2015 25:28:00 GMT',
    ])
      expect(parseRetryAfter(value, now)).toBeNull();
  });
});
