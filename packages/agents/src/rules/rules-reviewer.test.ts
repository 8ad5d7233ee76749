import type { AnalystVerdict } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { rulesAnalyst } from './rules-analyst';
import { rulesReviewer } from './rules-reviewer';

describe('rulesReviewer on recorded BTCUSDT 4h candles', () => {
  const { candidate, features } = fixtureFor(recordedBtcCandles());
  const analyst: AnalystVerdict = { ...rulesAnalyst(candidate, features), trend: 'sideways' };
  const range = (candidate.entry - candidate.stop) / 1.5;

  it('approves the fixture long whose target is 2R above entry', () => {
    expect(rulesReviewer(candidate, features, analyst, 1.5).approve).toBe(true);
  });

  it('rejects a long whose target is below entry and a short whose target is above: the move to it is a loss, not a reward', () => {
    const long = { ...candidate, takeProfits: [candidate.entry - 3 * range] };
    const short = {
      ...candidate,
      side: 'short' as const,
      stop: candidate.entry + 1.5 * range,
      takeProfits: [candidate.entry + 3 * range],
    };
    for (const wrong of [long, short]) {
      const review = rulesReviewer(wrong, features, analyst, 1.5);
      expect(review.approve).toBe(false);
      expect(review.reasons).toEqual(['reward/risk -2.00 below 1.5']);
    }
  });

  it('judges a ladder by its nearest target, as the veto tier does', () => {
    const ladder = { ...candidate, takeProfits: [candidate.entry + 3 * range, candidate.entry + range] };
    expect(rulesReviewer(ladder, features, analyst, 1.5).reasons).toEqual(['reward/risk 0.67 below 1.5']);
  });

  it('approves a target at exactly the floor, as the veto tier and risk do (1.4999999999999978 in binary)', () => {
    const atFloor = { ...candidate, entry: 1.1, stop: 1.0, takeProfits: [1.25] };
    expect(rulesReviewer(atFloor, features, analyst, 1.5)).toMatchObject({ approve: true });
    expect(rulesReviewer({ ...atFloor, takeProfits: [1.2499] }, features, analyst, 1.5).approve).toBe(false);
  });
});
