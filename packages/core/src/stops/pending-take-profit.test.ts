import { describe, expect, it } from 'vitest';
import { sellingAll, takeProfitProgress, takeProfitSent } from './pending-take-profit';

describe('sellingAll', () => {
  it('is true only while a take-profit keeping nothing is out', () => {
    expect(sellingAll({ takeProfit: { keep: 0 } })).toBe(true);
    expect(sellingAll({ takeProfit: { keep: 0.5 } })).toBe(false);
    expect(sellingAll({ takeProfit: null })).toBe(false);
  });
});

describe('takeProfitSent', () => {
  it('counts a partial take-profit as sent once its stop covers only what stays', () => {
    expect(takeProfitSent({ qty: 0.5, clientOrderId: 's-2' }, { keep: 0.5 }, false)).toBe(true);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0.5 }, false)).toBe(false);
  });

  it('counts a whole sale as sent once its spot stop is cancelled, or at once where stops are reduce-only', () => {
    expect(takeProfitSent({ qty: 1, clientOrderId: null }, { keep: 0 }, false)).toBe(true);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0 }, false)).toBe(false);
    expect(takeProfitSent({ qty: 1, clientOrderId: 's-1' }, { keep: 0 }, true)).toBe(true);
  });
});

describe('takeProfitProgress', () => {
  const tp = { qty: 0.005, fills: {} };
  const event = (
    status: 'filled' | 'rejected' | 'cancelled' | 'accepted',
    id: string,
    filledQty: number,
  ) => ({
    status,
    clientOrderId: id,
    filledQty,
  });

  it('is still selling after the first of two chunks filled, and sold once the second did', () => {
    const first = takeProfitProgress(tp, event('filled', 'tp-0', 0.0025), 0.00001);
    expect(first).toEqual({ kind: 'selling', fills: { 'tp-0': 0.0025 } });
    expect(
      takeProfitProgress({ ...tp, fills: first.fills }, event('filled', 'tp-1', 0.0025), 0.00001),
    ).toEqual({
      kind: 'sold',
      fills: { 'tp-0': 0.0025, 'tp-1': 0.0025 },
    });
  });

  it('fails with what the chunks did not sell when a later chunk is refused', () => {
    const fills = { 'tp-0': 0.0025 };
    const failed = takeProfitProgress({ ...tp, fills }, event('rejected', 'tp-1', 0), 0.00001);
    expect(failed.kind).toBe('failed');
    expect(failed.kind === 'failed' && failed.unsold).toBeCloseTo(0.0025, 12);
  });

  it('counts the fills a cancelled chunk made before it was cancelled', () => {
    const failed = takeProfitProgress(
      { ...tp, fills: { 'tp-0': 0.0025 } },
      event('cancelled', 'tp-1', 0.001),
      0.00001,
    );
    expect(failed.kind === 'failed' && failed.unsold).toBeCloseTo(0.0015, 12);
  });

  it('counts a chunk told again (a replay after a restart) once', () => {
    const fills = { 'tp-0': 0.0025 };
    expect(takeProfitProgress({ ...tp, fills }, event('filled', 'tp-0', 0.0025), 0.00001)).toEqual({
      kind: 'selling',
      fills,
    });
    expect(takeProfitProgress({ ...tp, fills }, event('accepted', 'tp-0', 0), 0.00001)).toEqual({
      kind: 'selling',
      fills,
    });
  });

  it('takes a sale less than half a step short as all of it, one step short as not', () => {
    expect(takeProfitProgress(tp, event('filled', 'tp-0', 0.004999999), 0.00001).kind).toBe('sold');
    expect(takeProfitProgress(tp, event('filled', 'tp-0', 0.00499), 0.00001).kind).toBe('selling');
  });
});
