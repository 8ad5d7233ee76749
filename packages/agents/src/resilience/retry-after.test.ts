import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after';

const NOW = Date.UTC(2026, 10, 24, 21, 0, 0);
const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('retryAfterMs', () => {
  it('reads retry-after-ms, else retry-after as seconds or an HTTP-date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW)).toBe(1_500);
    expect(retryAfterMs(headers({ 'retry-after': '3' }), NOW)).toBe(3_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Tue, 24 Nov 2026 21:00:30 GMT' }), NOW)).toBe(30_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Tue, 24 Nov 2026 20:59:00 GMT' }), NOW)).toBe(0);
  });

  it('treats a blank or unreadable header as absent: an empty retry-after-ms does not hide retry-after', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '', 'retry-after': '3' }), NOW)).toBe(3_000);
    expect(retryAfterMs(headers({ 'retry-after-ms': ' ', 'retry-after': 'soon' }), NOW)).toBeUndefined();
    expect(retryAfterMs(headers({}), NOW)).toBeUndefined();
  });
});
