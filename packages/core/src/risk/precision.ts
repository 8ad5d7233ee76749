// Exchange filters are decimal (0.00001) but JS numbers are binary. Rounding goes through
// integer step counts and back through toFixed, so 0.1 + 0.2-style noise never reaches an order.

// A value on the grid reaches us as `value / step` = a whole count plus binary noise, and the noise has
// two sources. A small count carries the noise of the quantities it was computed from (0.3 / 0.1 =
// 2.9999999999999996; 1.00002 - 1.00001 is 0.99999999998 steps of 0.00001):
// STEP_EPSILON, in steps, absorbs it. A large count carries a few ulps of itself (278.11016167 / 1e-8 =
// 27811016167.000004, 4e-6 of a step): COUNT_NOISE, relative to the count, absorbs it. Half a step off
// the grid stays off it up to 1.4e14 steps (1.4 million at 8 decimals), beyond any order.

/** Noise in a small step count that is not a step, e.g. 0.3 / 0.1 = 2.9999999999999996. */
const STEP_EPSILON = 1e-9;

/** Noise relative to a step count: 16 ulps, room for a few operations of 2.2e-16 each. */
const COUNT_NOISE = 16 * Number.EPSILON;

/** The whole number a step count (`value / step`) is, up to binary noise; undefined between grid points. */
function wholeSteps(count: number): number | undefined {
  const whole = Math.round(count);
  const noise = Math.max(STEP_EPSILON, Math.abs(count) * COUNT_NOISE);
  return Math.abs(count - whole) <= noise ? whole : undefined;
}

/** Decimal places a step needs: 0.00001 → 5, 1e-7 → 7, 0.25 → 2, 10 → 0. */
export function decimalPlaces(step: number): number {
  const [mantissa = '', exponent] = step.toString().toLowerCase().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent ?? 0));
}

// A venue has a handful of tick and lot sizes, and every price and quantity is rounded to one of them:
// their decimal places are worked out once (bounded, in case a caller passes arbitrary steps).
const stepPlaces = new Map<number, number>();
const MAX_CACHED_STEPS = 1_000;

function placesOfStep(step: number): number {
  let places = stepPlaces.get(step);
  if (places === undefined) {
    places = decimalPlaces(step);
    if (stepPlaces.size < MAX_CACHED_STEPS) stepPlaces.set(step, places);
  }
  return places;
}

function fromSteps(steps: number, step: number): number {
  return Number((steps * step).toFixed(placesOfStep(step)));
}

export function roundDownToStep(value: number, step: number): number {
  const count = value / step;
  return fromSteps(wholeSteps(count) ?? Math.floor(count), step);
}

export function roundUpToStep(value: number, step: number): number {
  const count = value / step;
  return fromSteps(wholeSteps(count) ?? Math.ceil(count), step);
}

export function roundToStep(value: number, step: number): number {
  return fromSteps(Math.round(value / step), step);
}

/** True when `value` is a whole number of steps, up to binary noise (the same noise the roundings absorb). */
export function isMultipleOfStep(value: number, step: number): boolean {
  return wholeSteps(value / step) !== undefined;
}

/** A sum or difference of quantities without float noise (0.1 + 0.2 -> 0.3): 12 decimals. */
export function roundQty(x: number): number {
  return Number(x.toFixed(12));
}
