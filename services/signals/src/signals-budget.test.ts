import { agentsConfigSchema } from '@ballast/agents';
import { anthropicToolUse, type ScriptedServer, startScriptedServer } from '@ballast/agents/testing';
import { loadConfig } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

describe(`signals with Claude as reviewer on a daily budget it spends at once (${RECORDED_FILE})`, () => {
  let claude: ScriptedServer;
  let fixture: SignalsFixture;

  beforeAll(async () => {
    claude = await startScriptedServer();
    // 1,000 × $3/M + 200 × $15/M = $0.006 a review: the first one spends the $0.001 budget.
    claude.respondWith(() =>
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 1, reasons: ['model: go'] }),
    );
    // The budget's UTC day is today's: the recorded bars are replayed on the system clock, every one of
    // them years old, so the age limit is lifted (bar ages are signals-bar-age.test.ts's subject).
    fixture = await startSignalsFixture({
      name: 'signals_budget',
      wallClock: true,
      env: { SIGNALS_MAX_VECTOR_AGE_MS: String(20 * 365 * 86_400_000) },
      agents: loadConfig(agentsConfigSchema, {
        ANTHROPIC_API_KEY: 'sk-ant-signals-budget-test-1a2b3c',
        ANTHROPIC_BASE_URL: claude.url,
        AGENT_DAILY_BUDGET_USD: '0.001',
        REVIEWER_FALLBACK: 'reject',
        AGENT_TIMEOUT_MS: '3000',
      }),
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await claude?.close();
  });

  it('rejects every later candidate as reviewer_failed and alerts once that the budget is spent', async () => {
    await fixture.publishVectors(vectors.slice(0, 200));
    const decisions = await waitFor(
      () => (fixture.decisions.length === 5 ? fixture.decisions : undefined),
      'five decisions',
      { timeoutMs: 30_000 },
    );
    expect(claude.requests).toHaveLength(1);
    expect(decisions.map((d) => [d.payload.approved, d.payload.rejection ?? null])).toEqual([
      [true, null],
      ...Array(4).fill([false, { reason: 'reviewer_failed', detail: 'budget_exceeded' }]),
    ]);
    const day = new Date().toISOString().slice(0, 10);
    await waitFor(() => fixture.alerts.length > 0, 'the budget alert');
    expect(fixture.alerts).toEqual([
      {
        severity: 'critical',
        kind: 'llm_budget_spent',
        message: `LLM daily budget spent ($0.006 of $0.001 on ${day} UTC): the reviewer rejects every candidate (REVIEWER_FALLBACK=reject: no new entries) until the next UTC day`,
        labels: { day },
      },
    ]);
  });
});
