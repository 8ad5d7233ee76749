import { describe, expect, it } from 'vitest';
import { EquityBaseline, equityBaseline, restoreEquityBaseline, sameEquityBaseline } from './equity-baseline';
import { checkDailyLoss, checkDrawdown } from './equity-halts';
import { DEFAULT_RISK_LIMITS as limits } from './risk-limits';
import { applyEquityMark } from './risk-reducers';
import { initialRiskState } from './risk-state';

const HOUR = 3_600_000;
const DAY1 = Date.UTC(2022, 0, 10);
const DAY2 = Date.UTC(2022, 0, 11);

/** 10,000 at the start of DAY1, then a trade closed 1,600 down: both equity halts latched. */
const halted = applyEquityMark(initialRiskState(10_000, DAY1), { equity: 8_400, time: DAY1 + HOUR }, limits);
const stored = EquityBaseline.parse(JSON.parse(JSON.stringify(equityBaseline(halted))));

describe('the equity baseline across a restart', () => {
  it('is what the halted state held, through JSON', () => {
    expect(stored).toEqual({
      equity: 8_400,
      peakEquity: 10_000,
      day: DAY1,
      dayStartEquity: 10_000,
      dailyLossHalt: { limit: 500, value: 1_600, at: DAY1 + HOUR },
      drawdownHalt: { limit: 1_500, value: 1_600, at: DAY1 + HOUR },
    });
  });

  it('keeps both halts and the peak on the same day, though the restart reads 8,400 as its equity', () => {
    const now = DAY1 + 2 * HOUR;
    const state = restoreEquityBaseline(initialRiskState(8_400, now), stored, limits, now);
    expect(equityBaseline(state)).toEqual(stored);
    expect(checkDrawdown(state, limits)).toMatchObject({ ok: false, reason: 'max_drawdown', limit: 1_500 });
    expect(checkDailyLoss(state, limits, now)).toMatchObject({ ok: false, reason: 'daily_loss', limit: 500 });
  });

  it('starts a new UTC day from the last equity known, without its daily halt; the drawdown halt stays', () => {
    const now = DAY2 + HOUR;
    const state = restoreEquityBaseline(initialRiskState(8_400, now), stored, limits, now);
    expect(state).toMatchObject({
      day: DAY2,
      dayStartEquity: 8_400,
      dailyLossHalt: null,
      peakEquity: 10_000,
    });
    expect(checkDailyLoss(state, limits, now)).toEqual({ ok: true });
    expect(checkDrawdown(state, limits)).toMatchObject({ ok: false, reason: 'max_drawdown' });
  });

  it('takes the equity read at start as a mark: a peak passed while down is kept, a limit reached latches', () => {
    const clean = equityBaseline(initialRiskState(10_000, DAY1));
    const up = restoreEquityBaseline(initialRiskState(10_400, DAY1 + HOUR), clean, limits, DAY1 + HOUR);
    expect(up).toMatchObject({ equity: 10_400, peakEquity: 10_400, drawdownHalt: null });
    const down = restoreEquityBaseline(initialRiskState(8_500, DAY1 + HOUR), clean, limits, DAY1 + HOUR);
    expect(down.drawdownHalt).toEqual({ limit: 1_500, value: 1_500, at: DAY1 + HOUR });
  });

  it('latches nothing on an equity read with a held position unmarked (not valued): its cost is no loss', () => {
    // A peak of 12,000 stored with a 2,000 gain open; the restart could not read the position's book,
    // so it counts at cost: 10,000, which measured would read 2,000 of drawdown (over 1,500).
    const gain = { ...equityBaseline(initialRiskState(12_000, DAY1)), equity: 12_000 };
    const now = DAY1 + HOUR;
    const state = restoreEquityBaseline(initialRiskState(10_000, now), gain, limits, now, false);
    expect(state).toMatchObject({ equity: 10_000, peakEquity: 12_000, dayStartEquity: 12_000 });
    expect({ drawdownHalt: state.drawdownHalt, dailyLossHalt: state.dailyLossHalt }).toEqual({
      drawdownHalt: null,
      dailyLossHalt: null,
    });
    // Halts latched before the restart stay, and a new day starts from the last equity known.
    const next = restoreEquityBaseline(
      initialRiskState(10_000, DAY2 + HOUR),
      stored,
      limits,
      DAY2 + HOUR,
      false,
    );
    expect(next).toMatchObject({
      day: DAY2,
      dayStartEquity: 8_400,
      equity: 10_000,
      drawdownHalt: stored.drawdownHalt,
    });
  });

  it('leaves a first start as initialRiskState made it', () => {
    const fresh = initialRiskState(10_000, DAY1);
    expect(restoreEquityBaseline(fresh, undefined, limits, DAY1)).toBe(fresh);
  });

  it('compares by value: a write is needed only when a figure or a halt changed', () => {
    expect(sameEquityBaseline(stored, equityBaseline(halted))).toBe(true);
    expect(sameEquityBaseline(stored, { ...stored, drawdownHalt: null })).toBe(false);
    expect(sameEquityBaseline(stored, { ...stored, peakEquity: 10_001 })).toBe(false);
  });
});
