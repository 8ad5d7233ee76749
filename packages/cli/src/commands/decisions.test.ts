import type { AgentCallRecord } from '@ballast/db';
import { describe, expect, it } from 'vitest';
import { formatDecisionsTable, parseSince } from './decisions';

const NOW = Date.UTC(2024, 4, 10, 12);

describe('parseSince', () => {
  it('reads durations back from now and ISO dates', () => {
    expect(parseSince('1h', NOW)).toBe(NOW - 3_600_000);
    expect(parseSince('1d', NOW)).toBe(NOW - 86_400_000);
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseSince('2024-05-01', NOW)).toBe(Date.UTC(2024, 4, 1));
    expect(parseSince('2024-05-01T06:30:00Z', NOW)).toBe(Date.UTC(2024, 4, 1, 6, 30));
  });

  it('refuses anything else with the accepted forms in the message', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      'use a duration like 1h, 1d, 7d, an ISO date like 2024-05-01 or epoch ms',
    );
    expect(() => parseSince('2024-13-45', NOW)).toThrow('invalid --since');
  });

  it('refuses a date that is not on the calendar instead of rolling it into the next month', () => {
    // Date.parse reads 2021-02-30 as 2 March and '2021-04-31T10:00' as 1 May.
    expect(() => parseSince('2021-02-30', NOW)).toThrow('invalid --since "2021-02-30"');
    expect(() => parseSince('2021-04-31T10:00:00Z', NOW)).toThrow('invalid --since');
    expect(() => parseSince('2024-05-01 and then some', NOW)).toThrow('invalid --since');
    expect(parseSince('2024-02-29', NOW)).toBe(Date.UTC(2024, 1, 29));
    expect(parseSince('1714521600000', NOW)).toBe(Date.UTC(2024, 4, 1));
  });
});

describe('formatDecisionsTable', () => {
  it('prints one aligned line per call with its outcome', () => {
    const row: AgentCallRecord = {
      id: 'a',
      agent: 'reviewer',
      provider: 'anthropic',
      model: 'claude-sonnet-5',
      prompt: 'p',
      promptSha256: 'h',
      rawResponse: null,
      verdict: null,
      latencyMs: 812.4,
      tokensIn: 1200,
      tokensOut: 85,
      costUsd: 0.004876,
      correlationId: 'corr-1',
      fallbackUsed: true,
      errorReason: 'timeout',
      createdAt: NOW,
    };
    const lines = formatDecisionsTable([row]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      '2024-05-10 12:00:00  reviewer  anthropic  claude-sonnet-5  fallback (timeout)  812  1200/85     0.00488  corr-1',
    );
    // A cost partly counted at its ceiling (ADR 25) is marked as the estimate it is.
    const estimated = formatDecisionsTable([{ ...row, costEstimatedUsd: 0.004 }]).split('\n')[2];
    expect(estimated).toContain(' ~0.00488  corr-1');
  });
});
