import { MAX_TWAP_SLICES } from '@ballast/contracts';
import { roundDownToStep } from '../risk/precision';
import { evenSteps } from './even-steps';
import { fewestOrdersUnder } from './market-close-chunks';

export type TwapSlice = { index: number; qty: number; dueAt: number };

// The most slices a TWAP is planned as, the contract's own limit on what an `ord.cmd` asks for.
export { MAX_TWAP_SLICES } from '@ballast/contracts';

/**
 * Why `totalQty` cannot be planned as a TWAP: the venue's largest order (`maxSliceQty`, see
 * marketOrderCap) needs more than MAX_TWAP_SLICES of them. Null when it can. Planned anyway, a
 * fat-fingered 1e12 BTC asked for 10 billion slices, and building them threw (invalid array length).
 */
export function twapTooLarge(
  totalQty: number,
  maxSliceQty: number | undefined,
  stepSize: number,
): string | null {
  const needed = fewestOrdersUnder(totalQty, maxSliceQty, stepSize);
  if (needed <= MAX_TWAP_SLICES) return null;
  return `a TWAP of ${totalQty} needs ${needed} orders of at most ${maxSliceQty} (the market maximum): more than ${MAX_TWAP_SLICES}`;
}

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
  /**
   * The largest order the venue takes (see marketOrderCap: MARKET_LOT_SIZE, LOT_SIZE, the maximum
   * notional): more slices are planned than asked rather than slices the venue refuses whole.
   * Undefined: no maximum.
   */
  maxSliceQty?: number | undefined;
  /** Each slice moves by up to ± this fraction of the interval, so slices are not predictable. */
  jitter: number;
  /** Injected randomness in [0, 1). */
  random01: () => number;
};

/**
 * Splits `totalQty` into `slices` equal pieces on the venue's step, the last taking the remainder so
 * the slices add up exactly; as many as the venue's minimum order allows, at least one, and as many
 * more as its maximum order needs (the maximum wins: a slice above it is refused whole, one below the
 * minimum is folded into the next). The first slice is due at `startAt`; the rest are spread over the
 * same duration with jitter, never earlier than the previous slice.
 */
export function planTwap(input: TwapInput): TwapSlice[] {
  const quantities = sliceQuantities(input, sliceCount(input));
  const n = quantities.length;
  const interval = n > 1 ? input.durationMs / (n - 1) : 0;
  const slices: TwapSlice[] = [];
  let previousDue = input.startAt;
  for (const [i, qty] of quantities.entries()) {
    const offset = i === 0 ? 0 : (input.random01() * 2 - 1) * input.jitter * interval;
    const dueAt = Math.max(previousDue, Math.round(input.startAt + i * interval + offset));
    slices.push({ index: i, qty, dueAt });
    previousDue = dueAt;
  }
  return slices.filter((s) => s.qty > 0);
}

function sliceCount(input: TwapInput): number {
  const asked = Math.max(
    1,
    Math.min(Math.floor(input.slices), mostSlices(input.totalQty, input.minSliceQty)),
  );
  return Math.max(asked, fewestOrdersUnder(input.totalQty, input.maxSliceQty, input.stepSize));
}

/**
 * `n` equal slices on the step, the last taking the remainder; when that would put the last above the
 * venue's maximum (up to n − 1 steps more than the others), the remainder is spread a step each instead.
 */
function sliceQuantities(input: TwapInput, n: number): number[] {
  const { totalQty, stepSize, maxSliceQty } = input;
  const each = roundDownToStep(totalQty / n, stepSize);
  const last = roundDownToStep(totalQty - each * (n - 1), stepSize);
  if (maxSliceQty !== undefined && last > maxSliceQty && n > 1) return evenSteps(totalQty, n, stepSize);
  return [...Array.from({ length: n - 1 }, () => each), last];
}

/** How many slices of at least `minSliceQty` fit in `totalQty` (the last takes the remainder). */
function mostSlices(totalQty: number, minSliceQty: number): number {
  return minSliceQty > 0 ? Math.floor(totalQty / minSliceQty + 1e-9) : Number.POSITIVE_INFINITY;
}
