import { describe, expect, it } from 'vitest';
import { stopExpected } from './stop-expected';

const protectedRecord = { closing: null, takeProfit: null, clientOrderId: 's-1' };

describe('stopExpected', () => {
  it('expects a stop on a position with no close or sale out, placed or not yet', () => {
    expect(stopExpected(protectedRecord)).toBe(true);
    expect(stopExpected({ ...protectedRecord, clientOrderId: null })).toBe(true);
  });

  it('expects none while a close is out', () => {
    expect(stopExpected({ ...protectedRecord, closing: { sentAt: 0 } })).toBe(false);
  });

  it('expects none while everything is sold with its stop cancelled, but keeps one resting through it', () => {
    expect(stopExpected({ ...protectedRecord, takeProfit: { keep: 0 }, clientOrderId: null })).toBe(false);
    expect(stopExpected({ ...protectedRecord, takeProfit: { keep: 0 } })).toBe(true);
    expect(stopExpected({ ...protectedRecord, takeProfit: { keep: 0.5 }, clientOrderId: null })).toBe(true);
  });
});
