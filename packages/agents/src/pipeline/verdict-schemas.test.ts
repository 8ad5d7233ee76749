import { REVIEW_REASONS } from '@ballast/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_TOKENS } from './decide-with-agents';
import { selectLessons } from './lessons';
import {
  parseAnalystVerdict,
  parseReviewVerdict,
  salvageReviewVeto,
  shrinkOnly,
  VETO_KEPT,
} from './verdict-schemas';

describe('the reviewer can only shrink', () => {
  it('clamps any non-negative multiplier a model replies into [0, 1], keeping values already inside', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.boolean(), (x, approve) => {
        const verdict = parseReviewVerdict({ approve, sizeMultiplier: x, reasons: [] });
        expect(verdict.sizeMultiplier).toBe(Math.min(1, x));
      }),
    );
  });

  it('rejects negative or non-numeric multipliers as invalid replies', () => {
    expect(() => parseReviewVerdict({ approve: true, sizeMultiplier: -0.1, reasons: [] })).toThrow();
    expect(() => parseReviewVerdict({ approve: true, sizeMultiplier: '0.5', reasons: [] })).toThrow();
    expect(() =>
      parseReviewVerdict({ approve: true, sizeMultiplier: 0.5, reasons: Array(11).fill('x') }),
    ).toThrow();
  });

  it('shrinkOnly never returns more than 1 or less than 0 for any number', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const y = shrinkOnly(x);
        expect(y >= 0 && y <= 1).toBe(true);
      }),
    );
  });
});

describe('selectLessons', () => {
  const lesson = (text: string, createdAt: number) => ({
    id: String(createdAt),
    symbol: 'BTC-USDT',
    setup: 'pullback',
    lesson: text,
    source: 'rules',
    correlationId: 'c',
    createdAt,
  });

  it('takes the newest whole lessons within both the count and the character bound', () => {
    const lessons = [lesson('old', 1), lesson('newest lesson', 3), lesson('middle', 2)];
    expect(selectLessons(lessons, { enabled: true, maxCount: 5, maxChars: 19 })).toEqual([
      'newest lesson',
      'middle',
    ]);
    expect(selectLessons(lessons, { enabled: true, maxCount: 1, maxChars: 1_000 })).toEqual([
      'newest lesson',
    ]);
  });
});

describe('a veto in a reply that fails the schema', () => {
  it('is kept, its string reasons within the schema bounds', () => {
    const reasons = ['a'.repeat(700), 7, ...Array.from({ length: 12 }, (_, i) => `r${i}`)];
    expect(salvageReviewVeto({ approve: false, sizeMultiplier: -3, reasons })).toEqual({
      approve: false,
      sizeMultiplier: 0,
      reasons: [VETO_KEPT, 'a'.repeat(500), 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'],
    });
    expect(salvageReviewVeto({ approve: false })).toEqual({
      approve: false,
      sizeMultiplier: 0,
      reasons: [VETO_KEPT],
    });
  });

  it('keeps nothing of an approval or of a reply that does not say approve: false', () => {
    for (const reply of [
      { approve: true, reasons: Array(11).fill('x') },
      { approve: 'false' },
      null,
      'no',
      [false],
    ])
      expect(salvageReviewVeto(reply)).toBeUndefined();
  });
});

describe('the output-token cap', () => {
  it('leaves room for the largest verdict either schema allows, at a conservative 3 chars per token', () => {
    const review = parseReviewVerdict({
      approve: false,
      sizeMultiplier: 0,
      reasons: Array.from({ length: REVIEW_REASONS.max }, () => 'x'.repeat(REVIEW_REASONS.maxChars)),
    });
    const analyst = parseAnalystVerdict({
      setup: 'x'.repeat(64),
      trend: 'sideways',
      strength: 100,
      entryLow: 123_456.789,
      entryHigh: 123_456.789,
      stop: 123_456.789,
      takeProfit: 123_456.789,
      confidence: 100,
      reasoning: 'x'.repeat(4_000),
    });
    for (const verdict of [review, analyst])
      expect(MAX_OUTPUT_TOKENS).toBeGreaterThanOrEqual(Math.ceil(JSON.stringify(verdict).length / 3));
  });
});
