import { TIMEFRAME_MS } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { FeatureEngine } from './feature-engine';
import { WARM_UP_MARGIN, warmUpWindow } from './warm-up-window';

const H = TIMEFRAME_MS['1h'];

describe('warmUpWindow', () => {
  const engine = new FeatureEngine();

  it("reaches back the features' 1h budget plus the margin from the newest closed bar", () => {
    // 10:30: the 10:00 bar is still forming, 09:00 is the newest closed one.
    const now = Date.UTC(2022, 9, 1, 10, 30);
    const wanted = engine.warmUpBars('1h');
    const window = warmUpWindow('1h', now);
    const bars = wanted + Math.ceil(wanted * WARM_UP_MARGIN);
    expect(window).toEqual({
      timeframe: '1h',
      wanted,
      since: Date.UTC(2022, 9, 1, 10) - bars * H,
      until: Date.UTC(2022, 9, 1, 9),
    });
    // Every slot from since to until inclusive: the budget plus its margin.
    expect((window.until - window.since) / H + 1).toBe(bars);
  });

  it('uses the 4h budget for 4h, and an explicit budget (FEATURES_WARMUP_CANDLES) when given', () => {
    const now = Date.UTC(2022, 9, 1, 8);
    const fourHours = warmUpWindow('4h', now);
    expect(fourHours.wanted).toBe(engine.warmUpBars('4h'));
    expect(fourHours.until).toBe(Date.UTC(2022, 9, 1, 4));
    expect(warmUpWindow('1h', now, 100)).toEqual({
      timeframe: '1h',
      wanted: 100,
      since: now - 101 * H,
      until: now - H,
    });
  });
});
