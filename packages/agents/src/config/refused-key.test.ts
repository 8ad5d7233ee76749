import { VirtualClock } from '@ballast/core';
import { createLogger, loadConfig } from '@ballast/service-kit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AuthFailed } from '../agent-runner';
import { decideWithAgents } from '../pipeline/decide-with-agents';
import { DEFAULT_LESSONS, type LessonStore } from '../pipeline/lessons';
import { analystReply } from '../testing/analyst-replies';
import { MemoryAudit } from '../testing/harness';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { vendorDoubles } from '../testing/vendor-doubles';
import { anthropicAuthError, anthropicToolUse, geminiAuthError } from '../testing/wire-replies';
import { agentsConfigSchema } from './agents-config';
import { buildAgentsFromConfig } from './build-agents';

const CLAUDE_KEY = 'sk-ant-api03-refusedKey-Zq7Wm2Rx9Tn4';
const GEMINI_KEY = 'AIzaSyRefusedKey-Hk3Lp8Vd1Qs6Jf0';
const NO_LESSONS: LessonStore = { add: async () => {}, recent: async () => [] };
// Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
const candles = recordedBtcCandles();
const { candidate, features } = fixtureFor(candles);
const APPROVE = { approve: true, sizeMultiplier: 0.5, reasons: ['ok'] };

/** The key, and the pieces of it a careless mask would show. */
function keyPieces(key: string): string[] {
  return [key, key.slice(0, 12), key.slice(-8)];
}

describe('a vendor refusing our API key', () => {
  const vendors = vendorDoubles();

  function build(env: Record<string, string>) {
    const { claude, gemini } = vendors;
    const lines: string[] = [];
    const told: AuthFailed[] = [];
    const audit = new MemoryAudit();
    const registry = new Registry();
    let n = 0;
    const agents = buildAgentsFromConfig(
      loadConfig(agentsConfigSchema, {
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.url,
        AGENT_REFLECTION: 'off',
        ...env,
      }),
      {
        clock: new VirtualClock(Date.UTC(2022, 9, 11, 12)),
        ids: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
        audit,
        metrics: registry,
        // The service logger without its secret scrubbing: the key must not be logged at all.
        log: createLogger({ service: 'agents-auth-test', destination: { write: (l) => lines.push(l) } }),
        sleep: async () => {},
        random: () => 0.5,
        onAuthFailed: (report) => told.push(report),
      },
    );
    const decide = () =>
      decideWithAgents(
        candidate,
        { correlationId: 'corr-refused-key', features, recentCandles: candles },
        {
          analyst: agents.analyst,
          reviewer: agents.reviewer,
          lessons: NO_LESSONS,
          lessonConfig: DEFAULT_LESSONS,
        },
      );
    return { agents, audit, lines, told, registry, decide };
  }

  it('rejects the review at once as auth_failed without retrying, counts it, and tells once per vendor, naming the variable, never the key', async () => {
    const { claude, gemini } = vendors;
    // Analyst and reviewer both ask Claude; the reflector asks Gemini, which is never called here.
    const { audit, lines, told, registry, decide } = build({
      ANALYST_PROVIDER: 'anthropic',
      REFLECTOR_PROVIDER: 'gemini',
    });
    claude.respondWith(() => anthropicAuthError(401));
    const before = [claude.requests.length, gemini.requests.length];
    const decision = await decide();
    expect([claude.requests.length - (before[0] ?? 0), gemini.requests.length - (before[1] ?? 0)]).toEqual([
      2, 0,
    ]);
    expect([decision.approved, decision.rejection, decision.analyst?.meta.fallbackUsed]).toEqual([
      false,
      { reason: 'reviewer_failed', detail: 'auth_failed' },
      true,
    ]);
    // The reviewer asks the vendor that refused the analyst: told once, by the first agent refused.
    expect(told).toEqual([
      {
        agent: 'analyst',
        provider: 'anthropic',
        variable: 'ANTHROPIC_API_KEY',
        detail: 'anthropic answered 401',
      },
    ]);
    expect(audit.rows.map((r) => [r.agent, r.errorReason])).toEqual([
      ['analyst', 'auth_failed'],
      ['reviewer', 'auth_failed'],
    ]);
    const failures = await registry.getSingleMetricAsString('ballast_agent_failures_total');
    expect(failures).toContain(
      'ballast_agent_failures_total{provider="anthropic",agent="analyst",reason="auth_failed"} 1',
    );
    expect(failures).toContain(
      'ballast_agent_failures_total{provider="anthropic",agent="reviewer",reason="auth_failed"} 1',
    );
    // Counted from 0 for every agent on a vendor, so PromQL's increase() sees the first refusal.
    expect(failures).toContain(
      'ballast_agent_failures_total{provider="gemini",agent="reflector",reason="auth_failed"} 0',
    );
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(errors.map((l) => [l.provider, l.variable, l.msg])).toEqual([
      [
        'anthropic',
        'ANTHROPIC_API_KEY',
        'anthropic answered 401: anthropic refused our API key; retrying will not help: fix ANTHROPIC_API_KEY and restart',
      ],
    ]);
    const everything = [lines.join('\n'), JSON.stringify(told), await registry.metrics()].join('\n');
    for (const piece of [...keyPieces(CLAUDE_KEY), ...keyPieces(GEMINI_KEY)])
      expect(everything).not.toContain(piece);
  });

  it('tells again when the key is refused after the vendor accepted it in between (a key revoked later)', async () => {
    const { claude, gemini } = vendors;
    const { told, decide } = build({});
    gemini.respondWith(analystReply);
    claude.respondWith(() => anthropicAuthError(403));
    await decide();
    await decide();
    claude.respondWith(() => anthropicToolUse('review_verdict', APPROVE));
    expect((await decide()).approved).toBe(true);
    claude.respondWith(() => anthropicAuthError(401));
    await decide();
    expect(told.map((t) => t.detail)).toEqual(['anthropic answered 403', 'anthropic answered 401']);
  });

  it("tells Gemini's refusals of the key (400 API_KEY_INVALID, 403) once, the analyst deciding by the rules", async () => {
    const { claude, gemini } = vendors;
    const { told, audit, lines, decide } = build({});
    claude.respondWith(() => anthropicToolUse('review_verdict', APPROVE));
    gemini.respondWith(() => geminiAuthError('key_invalid'));
    const before = gemini.requests.length;
    const first = await decide();
    gemini.respondWith(() => geminiAuthError(403));
    await decide();
    expect(gemini.requests.length - before).toBe(2);
    expect(first.analyst?.meta.fallbackUsed).toBe(true);
    expect(audit.rows.filter((r) => r.agent === 'analyst').map((r) => r.errorReason)).toEqual([
      'auth_failed',
      'auth_failed',
    ]);
    expect(told).toEqual([
      {
        agent: 'analyst',
        provider: 'gemini',
        variable: 'GEMINI_API_KEY',
        detail: 'gemini answered 400 API_KEY_INVALID',
      },
    ]);
    for (const piece of keyPieces(GEMINI_KEY)) expect(lines.join('\n')).not.toContain(piece);
  });
});
