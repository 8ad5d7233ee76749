import { agentsConfigSchema } from '@ballast/agents';
import { anthropicText, type ScriptedServer, startScriptedServer } from '@ballast/agents/testing';
import { loadConfig } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

describe(`signals with a Claude reviewer that answers every call in prose (${RECORDED_FILE})`, () => {
  let claude: ScriptedServer;
  let fixture: SignalsFixture;

  beforeAll(async () => {
    claude = await startScriptedServer();
    claude.respondWith(() => anthropicText('I would not take this trade: funding is extreme.'));
    fixture = await startSignalsFixture({
      name: 'signals_unusable',
      agents: loadConfig(agentsConfigSchema, {
        ANTHROPIC_API_KEY: 'sk-ant-signals-unusable-test-9d8c7b',
        ANTHROPIC_BASE_URL: claude.url,
        REVIEWER_FALLBACK: 'rules',
        AGENT_TIMEOUT_MS: '3000',
      }),
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await claude?.close();
  });

  it('rejects each candidate and raises one critical alert after five unusable replies in a row, the breaker closed', async () => {
    await fixture.publishVectors(vectors.slice(0, 200));
    const decisions = await waitFor(
      () => (fixture.decisions.length === 5 ? fixture.decisions : undefined),
      'five decisions',
      { timeoutMs: 30_000 },
    );
    expect(decisions.map((d) => d.payload.rejection)).toEqual(
      Array(5).fill({ reason: 'reviewer_failed', detail: 'malformed_response' }),
    );
    await waitFor(() => fixture.alerts.length > 0, 'the unusable-replies alert');
    expect(fixture.alerts).toEqual([
      {
        severity: 'critical',
        kind: 'llm_replies_unusable',
        message:
          'LLM reviewer on anthropic: 5 replies in a row could not be used (last: malformed_response), each paid for: ' +
          'every candidate it reviews is rejected (an unreadable review rejects under either REVIEWER_FALLBACK)',
        labels: { agent: 'reviewer', provider: 'anthropic' },
      },
    ]);
    expect(await fixture.metrics.getSingleMetricAsString('ballast_agent_breaker_state')).toContain(
      'ballast_agent_breaker_state{provider="anthropic"} 0',
    );
  });
});
