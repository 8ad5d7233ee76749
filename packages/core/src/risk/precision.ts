// Exchange filters are decimal (0.00001) but JS numbers are binary. Rounding goes through
// integer step counts and back through toFixed, so 0.1 + 0.2-style noise never reaches an order.

/** Absorbs binary noise in qty/step (e.g. 0.3 / 0.1 = 2.9999999999999996) without adding a step. */
const STEP_EPSILON = 1e-9;

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
  return fromSteps(Math.floor(value / step + STEP_EPSILON), step);
}

export function roundUpToStep(value: number, step: number): number {
  return fromSteps(Math.ceil(value / step - STEP_EPSILON), step);
}

export function roundToStep(value: number, step: number): number {
  return fromSteps(Math.round(value / step), step);
}

/** Binary noise a value on a decimal grid can carry, relative to its size (a few ulps, with room). */
const VALUE_NOISE = 1e-12;

/**
 * True when `value` is a whole number of steps, up to binary noise. Decided on the step's decimal grid
 * in integers: `value / step` is off by more than any fixed tolerance once it counts billions of steps
 * (278.11016167 / 1e-8 = 27811016167.000004).
 */
export function isMultipleOfStep(value: number, step: number): boolean {
  const places = placesOfStep(step);
  const onGrid = Number(value.toFixed(places));
  if (Math.abs(onGrid - value) > Math.abs(value) * VALUE_NOISE) return false;
  const scale = 10 ** places;
  return Math.round(onGrid * scale) % Math.round(step * scale) === 0;
}

/** A sum or difference of quantities without float noise (0.1 + 0.2 -> 0.3): 12 decimals. */
export function roundQty(x: number): number {
  return Number(x.toFixed(12));
}
