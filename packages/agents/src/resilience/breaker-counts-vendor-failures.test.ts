import { VirtualClock } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../agent-error';
import type { AgentTask } from '../agent-runner';
import type { LanguageModelProvider, StructuredReply } from '../provider';
import { harness, MemoryAudit } from '../testing/harness';

const USAGE = { inputTokens: 900, outputTokens: 300 };

/** A vendor answering 200 every time, with the replies given in turn. */
function answering(...replies: Array<() => StructuredReply>): LanguageModelProvider {
  let n = 0;
  return {
    id: 'anthropic',
    model: 'claude-sonnet-5',
    generate: async () => (replies[n++ % replies.length] as () => StructuredReply)(),
  };
}

const lessons: AgentTask<string[]> = {
  agent: 'reflector',
  correlationId: 'corr-breaker-1',
  system: 's',
  prompt: 'p',
  schemaName: 'lessons',
  schema: { type: 'object' },
  maxOutputTokens: 64,
  parse: (value) => {
    if (typeof value !== 'string' || value.length > 280) throw new Error('lesson over 280 chars');
    return [value];
  },
  fallback: () => ['rules lesson'],
};

describe('the vendor breaker', () => {
  it('stays closed through replies the vendor delivered but we could not use (schema-invalid, malformed, truncated)', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const provider = answering(
      () => ({ raw: '"x"', value: 'x'.repeat(300), usage: USAGE }),
      () => {
        throw new AgentError('malformed_response', 'no tool call', undefined, 'text', USAGE);
      },
      () => {
        throw new AgentError('truncated', 'stopped with max_tokens', undefined, '{}', USAGE);
      },
    );
    const { runner, breaker } = harness({ provider, clock, audit: new MemoryAudit() });
    const reasons = [];
    for (let i = 0; i < 6; i++) reasons.push((await runner.run(lessons)).errorReason);
    expect(reasons).toEqual([
      'invalid_reply',
      'malformed_response',
      'truncated',
      'invalid_reply',
      'malformed_response',
      'truncated',
    ]);
    expect(breaker.state()).toBe('closed');
  });

  it('stays closed through replies cut off at the token cap or refused, however many in a row', async () => {
    for (const reason of ['truncated', 'refused'] as const) {
      const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
      const provider = answering(() => {
        throw new AgentError(reason, 'stopped early', undefined, '{"approve": false, "reas', USAGE);
      });
      const { runner, breaker } = harness({ provider, clock, audit: new MemoryAudit() });
      const reasons = [];
      for (let i = 0; i < 3; i++) reasons.push((await runner.run(lessons)).errorReason);
      expect([reasons, breaker.state()]).toEqual([[reason, reason, reason], 'closed']);
    }
  });

  it('opens on vendor failures (5xx after the retries)', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const provider = answering(() => {
      throw new AgentError('server_error', 'anthropic answered 529');
    });
    const { runner, breaker } = harness({ provider, clock, audit: new MemoryAudit() });
    expect((await runner.run(lessons)).errorReason).toBe('server_error');
    expect(breaker.state()).toBe('open');
  });

  it('keeps the vendor failure as the reason when the breaker it opened refuses the next attempt', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const provider = answering(() => {
      throw new AgentError('server_error', 'anthropic answered 529');
    });
    const audit = new MemoryAudit();
    const retry = { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 8_000 };
    const { runner, breaker } = harness({ provider, clock, audit, retry });
    await runner.run(lessons);
    // The third failure opens the breaker; the retry after it is refused unsent.
    const second = await runner.run(lessons);
    expect(breaker.state()).toBe('open');
    expect([second.errorReason, audit.rows.at(-1)?.errorReason]).toEqual(['server_error', 'server_error']);
  });
});
