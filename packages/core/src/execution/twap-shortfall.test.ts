import { describe, expect, it } from 'vitest';
import { marketCloseChunks } from './market-close-chunks';
import { afterShortFill, CATCH_UP_FIRST_SLICE, CATCH_UP_SLICES } from './twap-shortfall';

// BTCUSDT-like rules: step 0.00001, market maximum 100.05381873 (on the step: 100.05381).
const rules = { stepSize: 0.00001, marketMaxQty: 100.05381873 };
const input = (over: Partial<Parameters<typeof afterShortFill>[0]> = {}) => ({
  slice: { qty: 0.01, filledQty: 0.004, reduceOnly: true, slice: 0 },
  next: { clientOrderId: 'next', qty: 0.01 },
  cap: 100.05381,
  smallest: 0.00018,
  catchUps: 0,
  chunks: (qty: number) => marketCloseChunks(qty, rules, 58_000),
  ...over,
});

describe('afterShortFill', () => {
  it('folds an exit slice rest into the next slice', () => {
    expect(afterShortFill(input())).toEqual({ action: 'fold', into: 'next', qty: 0.016, unfilledQty: 0.006 });
  });

  it('sends an exit rest the next slice cannot take within the market maximum as catch-up slices within it', () => {
    const out = afterShortFill(
      input({
        slice: { qty: 100, filledQty: 0, reduceOnly: true, slice: 0 },
        next: { clientOrderId: 'n', qty: 90 },
      }),
    );
    expect(out).toEqual({ action: 'catch_up', qty: [100], unfilledQty: 100 });
  });

  it('leaves an entry rest unfilled: risk freed its room', () => {
    expect(
      afterShortFill(input({ slice: { qty: 0.01, filledQty: 0.004, reduceOnly: false, slice: 0 } })),
    ).toEqual({
      action: 'end',
      unfilledQty: 0.006,
      why: 'entry',
    });
  });

  it('ends an exit whose rest is below the smallest order, whose catch-up took nothing, or whose catch-ups are spent', () => {
    const last = { next: undefined };
    expect(afterShortFill(input({ ...last, smallest: 0.01 }))).toMatchObject({
      action: 'end',
      why: 'below_minimum',
    });
    const noFill = { qty: 0.01, filledQty: 0, reduceOnly: true, slice: CATCH_UP_FIRST_SLICE };
    expect(afterShortFill(input({ ...last, slice: noFill }))).toMatchObject({
      action: 'end',
      why: 'no_progress',
    });
    expect(afterShortFill(input({ ...last, catchUps: CATCH_UP_SLICES }))).toMatchObject({
      action: 'end',
      why: 'catch_ups_spent',
    });
    expect(afterShortFill(input({ ...last, catchUps: CATCH_UP_SLICES - 1 }))).toEqual({
      action: 'catch_up',
      qty: [0.006],
      unfilledQty: 0.006,
    });
  });
});
