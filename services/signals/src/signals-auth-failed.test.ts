import { agentsConfigSchema } from '@ballast/agents';
import {
  anthropicAuthError,
  geminiAuthError,
  type ScriptedServer,
  startScriptedServer,
} from '@ballast/agents/testing';
import { createLogger, loadConfig } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();
const CLAUDE_KEY = 'sk-ant-api03-signalsRefused-Vb5Nc8Xz2Lk7';
const GEMINI_KEY = 'AIzaSySignalsRefused-Mq4Wr9Ty6Up1';

describe(`signals with a Claude reviewer and a Gemini analyst that both refuse our keys (${RECORDED_FILE})`, () => {
  let claude: ScriptedServer;
  let gemini: ScriptedServer;
  let fixture: SignalsFixture;
  const lines: string[] = [];

  beforeAll(async () => {
    claude = await startScriptedServer();
    gemini = await startScriptedServer();
    claude.respondWith(() => anthropicAuthError(401));
    gemini.respondWith(() => geminiAuthError('key_invalid'));
    fixture = await startSignalsFixture({
      name: 'signals_auth_failed',
      // The service logger without its secret scrubbing: the key must not be logged at all.
      log: createLogger({
        service: 'signals-auth-test',
        level: 'debug',
        destination: { write: (l) => lines.push(l) },
      }),
      agents: loadConfig(agentsConfigSchema, {
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.url,
        AGENT_TIMEOUT_MS: '3000',
      }),
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await claude?.close();
    await gemini?.close();
  });

  it('rejects every candidate, and raises one critical llm_auth_failed alert per vendor at the first refusal, before any breaker alert, never showing a key', async () => {
    await fixture.publishVectors(vectors.slice(0, 200));
    const decisions = await waitFor(
      () => (fixture.decisions.length === 5 ? fixture.decisions : undefined),
      'five decisions',
      { timeoutMs: 30_000 },
    );
    // Each review is asked once, never retried. The third refusal opens the vendor's breaker, but the
    // candidates come an hour of bar time apart, so each is the half-open probe, refused again.
    expect([claude.requests.length, gemini.requests.length]).toEqual([5, 5]);
    expect(decisions.map((d) => d.payload.rejection)).toEqual(
      Array(5).fill({ reason: 'reviewer_failed', detail: 'auth_failed' }),
    );
    await waitFor(
      () => fixture.alerts.filter((a) => a.kind === 'llm_breaker_open').length === 2,
      'both breaker alerts',
    );
    expect(fixture.alerts.filter((a) => a.kind === 'llm_auth_failed')).toEqual([
      {
        severity: 'critical',
        kind: 'llm_auth_failed',
        message:
          'LLM gemini refused our API key (gemini answered 400 API_KEY_INVALID): the analyst decides by the rules ' +
          'until GEMINI_API_KEY is fixed and signals restarted; retrying will not help',
        labels: { provider: 'gemini' },
      },
      {
        severity: 'critical',
        kind: 'llm_auth_failed',
        message:
          'LLM anthropic refused our API key (anthropic answered 401): the reviewer rejects every candidate ' +
          '(REVIEWER_FALLBACK=reject: no new entries) until ANTHROPIC_API_KEY is fixed and signals restarted; ' +
          'retrying will not help',
        labels: { provider: 'anthropic' },
      },
    ]);
    const told = (kind: string, provider: string) =>
      fixture.alerts.findIndex((a) => a.kind === kind && a.labels.provider === provider);
    for (const provider of ['gemini', 'anthropic'])
      expect(told('llm_auth_failed', provider)).toBeLessThan(told('llm_breaker_open', provider));
    const metrics = await fixture.metrics.metrics();
    expect(metrics).toContain(
      'ballast_agent_failures_total{provider="anthropic",agent="reviewer",reason="auth_failed"} 5',
    );
    expect(metrics).toContain(
      'ballast_agent_failures_total{provider="gemini",agent="analyst",reason="auth_failed"} 5',
    );
    // The logs say it too (so the check below reads what was logged, not nothing).
    expect(lines.join('\n')).toContain('fix ANTHROPIC_API_KEY and restart');
    const everything = [lines.join('\n'), JSON.stringify(fixture.alerts), metrics].join('\n');
    for (const key of [CLAUDE_KEY, GEMINI_KEY])
      for (const piece of [key, key.slice(0, 12), key.slice(-8)]) expect(everything).not.toContain(piece);
  });
});
