import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalPlaces, isMultipleOfStep, roundDownToStep, roundToStep, roundUpToStep } from './precision';
import { binanceSpotRules } from './real-market.fixture';

// Real lot and tick sizes: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT lot 0.00001,
// ETHUSDT 0.0001, SOLUSDT 0.01, XRPUSDT 1, SHIBUSDT tick 1e-8; ticks 0.01 and 0.0001), plus the 1e-8 lot of
// the fallback rules.
const REAL_RULES = Object.values(binanceSpotRules(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'SHIBUSDT']));
const STEPS = [...new Set([...REAL_RULES.flatMap((r) => [r.stepSize, r.tickSize]), 1e-8])];

/** n steps as the exchange writes it (decimal, exact in integers), then parsed: the oracle. */
function gridValue(n: bigint, step: number): number {
  const places = decimalPlaces(step);
  const units = (n * BigInt(Math.round(step * 10 ** places))).toString().padStart(places + 1, '0');
  const whole = units.slice(0, units.length - places);
  return Number(places === 0 ? whole : `${whole}.${units.slice(-places)}`);
}

describe('precision', () => {
  it('counts the decimals a step needs, including exponent notation', () => {
    expect([0.01, 0.00001, 1e-7, 1.5e-7, 0.25, 1, 10].map(decimalPlaces)).toEqual([2, 5, 7, 8, 2, 0, 0]);
  });

  it('rounds quantities down on the step grid without binary noise', () => {
    expect(roundDownToStep(0.1 + 0.2, 0.00001)).toBe(0.3);
    expect(roundDownToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundDownToStep(0.123456789, 0.00001)).toBe(0.12345);
    expect(roundDownToStep(1.000009999, 0.00001)).toBe(1);
    expect(roundDownToStep(57.9, 1)).toBe(57);
    // A difference of two quantities carries the noise of its operands: 0.99999999998 lots is one lot.
    expect(roundDownToStep(1.00002 - 1.00001, 0.00001)).toBe(0.00001);
  });

  it('keeps a SOL quantity of 27.8 billion lots of 1e-8 whole, and rounds one between lots', () => {
    // 278.11016168 / 1e-8 = 27811016167.999996: a fixed 1e-9 of a lot dropped it to 278.11016167.
    expect(roundDownToStep(278.11016168, 1e-8)).toBe(278.11016168);
    expect(roundUpToStep(278.11016168, 1e-8)).toBe(278.11016168);
    expect(roundToStep(278.11016168, 1e-8)).toBe(278.11016168);
    expect(roundDownToStep(278.110161685, 1e-8)).toBe(278.11016168);
    expect(roundUpToStep(278.110161685, 1e-8)).toBe(278.11016169);
  });

  it('keeps every one of 200,000 consecutive lots of 1e-8 from 278.11 SOL whole', () => {
    const lost: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const qty = Number(`278.${String(11_000_000 + i).padStart(8, '0')}`);
      if (roundDownToStep(qty, 1e-8) !== qty || roundUpToStep(qty, 1e-8) !== qty) lost.push(qty);
    }
    expect(lost).toEqual([]);
  });

  it('knows a value on the step grid, however many steps it counts, and one off it', () => {
    // A SOL position of 278.11016167 on the 1e-8 lot: 27,811,016,167 steps, divided with binary noise.
    expect(isMultipleOfStep(278.11016167, 1e-8)).toBe(true);
    expect(isMultipleOfStep(0.1 + 0.2, 0.1)).toBe(true);
    expect(isMultipleOfStep(0.75, 0.25)).toBe(true);
    expect(isMultipleOfStep(30, 10)).toBe(true);
    expect(isMultipleOfStep(0, 0.01)).toBe(true);
    expect(isMultipleOfStep(278.110161675, 1e-8)).toBe(false);
    expect(isMultipleOfStep(0.7, 0.25)).toBe(false);
    expect(isMultipleOfStep(35, 10)).toBe(false);
    expect(isMultipleOfStep(0.000000001, 1e-8)).toBe(false);
    expect(isMultipleOfStep(60650.005, 0.01)).toBe(false);
  });

  it('refuses half a lot off the grid at a trillion lots', () => {
    // 1e12 lots of 1e-8 and a half: off by 5e-13 of the value, which a tolerance of 1e-12 of it took for noise.
    expect(isMultipleOfStep(10000.000000005, 1e-8)).toBe(false);
    expect(isMultipleOfStep(10000.00000001, 1e-8)).toBe(true);
    expect(roundDownToStep(10000.000000005, 1e-8)).toBe(10000);
    expect(roundUpToStep(10000.000000005, 1e-8)).toBe(10000.00000001);
  });

  it('knows large multiples of steps that are not powers of ten', () => {
    expect(isMultipleOfStep(123_456_789.25, 0.25)).toBe(true);
    expect(isMultipleOfStep(1_000_000_000_000.75, 0.25)).toBe(true);
    expect(isMultipleOfStep(123_456_789.3, 0.25)).toBe(false);
    expect(isMultipleOfStep(1_000_000_000_000.125, 0.25)).toBe(false);
    expect(isMultipleOfStep(123_456_789_005, 5)).toBe(true);
    expect(isMultipleOfStep(123_456_789_002, 5)).toBe(false);
    expect(isMultipleOfStep(5_000_000_000_002.5, 5)).toBe(false);
    expect(roundDownToStep(123_456_789.3, 0.25)).toBe(123_456_789.25);
    expect(roundUpToStep(123_456_789.3, 0.25)).toBe(123_456_789.5);
    expect(roundDownToStep(5_000_000_000_002.5, 5)).toBe(5_000_000_000_000);
    expect(roundUpToStep(5_000_000_000_002.5, 5)).toBe(5_000_000_000_005);
  });

  it('rounds prices to the nearest tick, and up when asked', () => {
    expect(roundToStep(60650.004, 0.01)).toBe(60650);
    expect(roundToStep(60650.005000001, 0.01)).toBe(60650.01);
    expect(roundUpToStep(0.7, 0.1)).toBe(0.7);
    expect(roundUpToStep(0.70001, 0.1)).toBe(0.8);
  });

  it('for n up to 1e12 real lots or ticks: n steps round to themselves, n and a half steps to either side', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constantFrom(...STEPS), (n, step) => {
        const exact = gridValue(n, step);
        const product = Number(n) * step;
        const between = product + step / 2;
        return (
          [exact, product].every(
            (value) =>
              roundDownToStep(value, step) === exact &&
              roundUpToStep(value, step) === exact &&
              roundToStep(value, step) === exact &&
              isMultipleOfStep(value, step),
          ) &&
          !isMultipleOfStep(between, step) &&
          roundDownToStep(between, step) === exact &&
          roundUpToStep(between, step) === gridValue(n + 1n, step)
        );
      }),
      { numRuns: 5000 },
    );
  });
});
