import { describe, expect, it } from 'vitest';
import { dateFlag } from './date-flag';

describe('a date flag (--from, --to)', () => {
  it('reads an ISO date as its UTC midnight, a date with time and zone, and epoch ms', () => {
    expect(dateFlag('2021-01-01', 'from')).toBe(Date.UTC(2021, 0, 1));
    expect(dateFlag('2021-01-01T12:30:00Z', 'from')).toBe(Date.UTC(2021, 0, 1, 12, 30));
    expect(dateFlag('2021-01-01T12:30:00+02:00', 'to')).toBe(Date.UTC(2021, 0, 1, 10, 30));
    expect(dateFlag('1609459200000', 'to')).toBe(Date.UTC(2021, 0, 1));
  });

  it('refuses a day not on the calendar and text Date.parse guesses at, naming the flag and the value', () => {
    // Date.parse took 2021-02-30 as 2 March, and "1 2" as 2 January 2001.
    expect(() => dateFlag('2021-02-30', 'from')).toThrow('--from: not a date or epoch ms: 2021-02-30');
    expect(() => dateFlag('1 2', 'to')).toThrow('--to: not a date or epoch ms: 1 2');
    expect(() => dateFlag('2021-13-01', 'to')).toThrow('--to: not a date or epoch ms: 2021-13-01');
    expect(() => dateFlag('next tuesday', 'from')).toThrow('--from: not a date or epoch ms: next tuesday');
  });
});
