import { describe, expect, it } from 'vitest';
import { overdue } from './close-confirmation';

describe('overdue', () => {
  it('is due once closeConfirmMs have passed since the close was sent', () => {
    const record = { closing: { sentAt: 1_000 }, takeProfit: null };
    expect(overdue(record, 30_999, 30_000)).toBe(false);
    expect(overdue(record, 31_000, 30_000)).toBe(true);
  });

  it('times a take-profit when no close is out, and nothing when neither is', () => {
    expect(overdue({ closing: null, takeProfit: { sentAt: 0 } }, 30_000, 30_000)).toBe(true);
    expect(overdue({ closing: { sentAt: 20_000 }, takeProfit: { sentAt: 0 } }, 30_000, 30_000)).toBe(false);
    expect(overdue({ closing: null, takeProfit: null }, 1e12, 30_000)).toBe(false);
  });
});
