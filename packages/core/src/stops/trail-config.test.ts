import { describe, expect, it } from 'vitest';
import { trailConfig } from './trail-config';

const settings = { TRAIL_PCT: 0.02, TRAIL_ATR_MULTIPLE: 2.5 };

describe('trailConfig', () => {
  it("takes each mode's own parameter only", () => {
    expect(trailConfig({ ...settings, TRAIL_MODE: 'percent' })).toEqual({ mode: 'percent', pct: 0.02 });
    expect(trailConfig({ ...settings, TRAIL_MODE: 'atr' })).toEqual({ mode: 'atr', multiple: 2.5 });
    expect(trailConfig({ ...settings, TRAIL_MODE: 'off' })).toEqual({ mode: 'off' });
  });
});
