import { describe, expect, it } from 'vitest';
import { chartPriceFormat, price } from '../web/src/price';

describe('the market chart’s price format', () => {
  it('gives a low-priced coin’s axis the decimals its prices show in the tables, not 0.00', () => {
    expect(chartPriceFormat([0.0812, 0.0813, 0.07999])).toEqual({
      type: 'price',
      precision: 7,
      minMove: 0.0000001,
    });
    expect(price(0.07999)).toBe('0.07999');
    expect(price(0.0799912)).toBe('0.0799912');
  });

  it('keeps two decimals for a coin quoted in thousands, and at most eight for one below a cent', () => {
    expect(chartPriceFormat([64_250.5, 63_990])).toEqual({ type: 'price', precision: 2, minMove: 0.01 });
    expect(chartPriceFormat([0.0036881, 0.0037379])).toEqual({
      type: 'price',
      precision: 8,
      minMove: 0.00000001,
    });
    expect(chartPriceFormat([0.000001234])).toMatchObject({ precision: 8, minMove: 1e-8 });
  });

  it('reads no price (none, zero, not a number) as the two decimals of the default', () => {
    expect(chartPriceFormat([])).toEqual({ type: 'price', precision: 2, minMove: 0.01 });
    expect(chartPriceFormat([0, Number.NaN])).toEqual({ type: 'price', precision: 2, minMove: 0.01 });
  });
});
