import { describe, expect, it } from 'vitest';
import { binanceSpotRules } from '../risk/real-market.fixture';
import { smallestOrderQty, smallestSliceQty } from './smallest-order';
import { deferSlices, respaceOverdue, slippageWaitDetail, slippageWaits } from './twap-pacing';
import { planTwap } from './twap-plan';
import { afterSizeRefusal, LAST_ATTEMPT } from './twap-refusal';

// Binance BTCUSDT on 2021-10-12: step 0.00001, min qty 0.00001, min notional 10 USDT.
const rules = binanceSpotRules(['BTCUSDT']).BTCUSDT!;

/** 0.001 BTC over 5 slices and 60 s, no jitter, slices no smaller than `minSliceQty`. */
const smallOrderIn = (minSliceQty: number) =>
  planTwap({
    totalQty: 0.001,
    slices: 5,
    minSliceQty,
    durationMs: 60_000,
    startAt: 0,
    stepSize: rules.stepSize,
    jitter: 0,
    random01: () => 0,
  }).map((s) => s.qty);

describe('TWAP slice size', () => {
  it('plans slices 10% above the minimum notional: 0.001 BTC at 50,000 in 4 slices of 12.50 USDT, not 5 of 10', () => {
    expect(smallOrderIn(smallestOrderQty(rules, 50_000))).toEqual([0.0002, 0.0002, 0.0002, 0.0002, 0.0002]);
    expect(smallestSliceQty(rules, 50_000)).toBe(0.00022);
    expect(smallOrderIn(smallestSliceQty(rules, 50_000))).toEqual([0.00025, 0.00025, 0.00025, 0.00025]);
  });
});

const slices = (...dueAt: number[]) => dueAt.map((d, i) => ({ clientOrderId: `s${i + 1}`, dueAt: d }));

describe('TWAP pacing', () => {
  it('re-spaces a TWAP found 10 minutes late: one slice now, the rest 15 s apart from now', () => {
    // Slices 1-4 of a 60 s, 5-slice plan started at 0; the service is back at 600 s.
    expect(respaceOverdue(slices(15_000, 30_000, 45_000, 60_000), 600_000)).toEqual(
      slices(600_000, 615_000, 630_000, 645_000),
    );
  });

  it('leaves a TWAP alone while at most one of its slices is due, and a last slice however late', () => {
    expect(respaceOverdue(slices(15_000, 30_000), 29_999)).toEqual([]);
    expect(respaceOverdue(slices(15_000), 600_000)).toEqual([]);
  });

  it('leaves the chunks of a market close alone: all due at once, they have no spacing to keep', () => {
    expect(respaceOverdue(slices(15_000, 15_000, 15_000), 600_000)).toEqual([]);
  });

  it('holds a slice back until the next one is due, moving the rest as much; a last slice by the interval', () => {
    expect(deferSlices(slices(600_000, 615_000, 630_000), 20_000)).toEqual(slices(615_000, 630_000, 645_000));
    expect(deferSlices(slices(600_000), 20_000)).toEqual(slices(620_000));
  });

  it('counts the times the guard held a slice back in its recorded detail', () => {
    expect(slippageWaits(null)).toBe(0);
    expect(slippageWaits('filled elsewhere')).toBe(0);
    expect(slippageWaits(slippageWaitDetail(2, 'a buy of 0.01 averages 54500'))).toBe(2);
  });
});

describe('a TWAP slice refused for its size', () => {
  const under = { filter: 'NOTIONAL', reason: 'min_notional', detail: 'under 10' } as const;

  it('is folded into the next planned slice', () => {
    expect(
      afterSizeRefusal({
        refused: { qty: 0.0002, detail: null },
        next: { clientOrderId: 's3', qty: 0.0002 },
        failureNow: null,
      }),
    ).toEqual({ action: 'fold', into: 's3', qty: 0.0004 });
  });

  it('is sent once more when it is the last and passes at the touch now, then the TWAP ends', () => {
    const last = { qty: 0.0002, detail: null };
    expect(afterSizeRefusal({ refused: last, next: undefined, failureNow: null })).toEqual({
      action: 'retry',
    });
    expect(afterSizeRefusal({ refused: last, next: undefined, failureNow: under })).toEqual({
      action: 'end',
      unfilledQty: 0.0002,
    });
    const retried = { qty: 0.0002, detail: `${LAST_ATTEMPT}: refused` };
    expect(afterSizeRefusal({ refused: retried, next: undefined, failureNow: null })).toEqual({
      action: 'end',
      unfilledQty: 0.0002,
    });
  });
});
