import { roundToStep } from '../risk/precision';

/**
 * `qty` (on the step) as `count` orders of equal size in whole steps, the first ones a step larger to
 * take the remainder: no piece is more than one step above another, so none exceeds a cap that
 * `count` pieces of `qty` fit under.
 */
export function evenSteps(qty: number, count: number, stepSize: number): number[] {
  const steps = Math.round(qty / stepSize);
  const each = Math.floor(steps / count);
  const larger = steps - each * count;
  return Array.from({ length: count }, (_, i) =>
    roundToStep((each + (i < larger ? 1 : 0)) * stepSize, stepSize),
  );
}
