import { describe, expect, it } from 'vitest';
import { outageText } from './agent-outage-text';

const REJECTS = 'the reviewer rejects every candidate (REVIEWER_FALLBACK=reject: no new entries)';

describe('what an alert says the agents do while a vendor cannot be asked', () => {
  it('names only the agents on that vendor: a Gemini outage leaves a rules or Claude reviewer reviewing', () => {
    const geminiOnly = { analyst: 'gemini', reviewer: 'rules', reflector: 'rules' };
    const both = { analyst: 'gemini', reviewer: 'anthropic', reflector: 'rules' };
    expect(outageText(geminiOnly, 'reject', 'gemini')).toBe('the analyst decides by the rules');
    expect(outageText(both, 'reject', 'gemini')).toBe('the analyst decides by the rules');
  });

  it("says entries stop when the reviewer's vendor is out under REVIEWER_FALLBACK=reject, not under rules", () => {
    const both = { analyst: 'gemini', reviewer: 'anthropic', reflector: 'anthropic' };
    expect(outageText(both, 'reject', 'anthropic')).toBe(
      `${REJECTS} and the reflector writes lessons by the rules`,
    );
    expect(outageText(both, 'rules', 'anthropic')).toBe(
      'the reviewer reviews by the rules and the reflector writes lessons by the rules',
    );
  });

  it('names every agent asking a model when the shared daily budget is spent', () => {
    const all = { analyst: 'gemini', reviewer: 'anthropic', reflector: 'openai-compatible' };
    expect(outageText(all, 'reject')).toBe(
      `the analyst decides by the rules, ${REJECTS} and the reflector writes lessons by the rules`,
    );
    expect(outageText({ analyst: 'rules', reviewer: 'anthropic', reflector: 'rules' }, 'reject')).toBe(
      REJECTS,
    );
  });
});
