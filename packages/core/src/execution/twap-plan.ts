import { roundDownToStep } from '../risk/precision';

export type TwapSlice = { index: number; qty: number; dueAt: number };

export type TwapInput = {
  totalQty: number;
  slices: number;
  durationMs: number;
  startAt: number;
  /** Venue quantity step: every slice is a whole number of steps. */
  stepSize: number;
  /**
   * The smallest order the venue takes (see smallestOrderQty): fewer slices are planned rather than
   * slices the venue would refuse. 0: no minimum.
   */
  minSliceQty: number;
  /** Each slice moves by up to ± this fraction of the interval, so slices are not predictable. */
  jitter: number;
  /** Injected randomness in [0, 1). */
  random01: () => number;
};

/**
 * Splits `totalQty` into `slices` equal pieces on the venue's step, the last taking the remainder so
 * the slices add up exactly; as many as the venue's minimum order allows, at least one. The first
 * slice is due at `startAt`; the rest are spread over the duration with jitter, never earlier than
 * the previous slice.
 */
export function planTwap(input: TwapInput): TwapSlice[] {
  const n = Math.max(1, Math.min(Math.floor(input.slices), mostSlices(input.totalQty, input.minSliceQty)));
  const each = roundDownToStep(input.totalQty / n, input.stepSize);
  const interval = n > 1 ? input.durationMs / (n - 1) : 0;
  const slices: TwapSlice[] = [];
  let allocated = 0;
  let previousDue = input.startAt;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const qty = last
      ? roundDownToStep(input.totalQty - allocated + input.stepSize * 1e-9, input.stepSize)
      : each;
    const offset = i === 0 ? 0 : (input.random01() * 2 - 1) * input.jitter * interval;
    const dueAt = Math.max(previousDue, Math.round(input.startAt + i * interval + offset));
    slices.push({ index: i, qty, dueAt });
    allocated = roundDownToStep(allocated + qty + input.stepSize * 1e-9, input.stepSize);
    previousDue = dueAt;
  }
  return slices.filter((s) => s.qty > 0);
}

/** How many slices of at least `minSliceQty` fit in `totalQty` (the last takes the remainder). */
function mostSlices(totalQty: number, minSliceQty: number): number {
  return minSliceQty > 0 ? Math.floor(totalQty / minSliceQty + 1e-9) : Number.POSITIVE_INFINITY;
}
