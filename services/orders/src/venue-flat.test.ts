import { describe, expect, it } from 'vitest';
import { venueFlat } from './venue-flat';

// BTCUSDT's filters in the recorded binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const rules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };

describe('venueFlat', () => {
  it('calls a residual below one lot flat', () => {
    expect(venueFlat(0.000009, rules, 58001.04)).toEqual({ flat: true, residual: 0.000009 });
    expect(venueFlat(0, rules, 58001.04)).toEqual({ flat: true, residual: 0 });
  });

  it('calls a residual below the minimum notional flat: the venue would refuse to sell it', () => {
    expect(venueFlat(0.00017, rules, 58001.04)).toEqual({ flat: true, residual: 0.00017 });
  });

  it('reports a sellable residual as not flat, with what is tradable', () => {
    expect(venueFlat(0.000184, rules, 58001.04)).toEqual({
      flat: false,
      residual: 0.000184,
      detail: 'the venue still holds 0.000184 (0.00018 tradable)',
    });
  });
});
