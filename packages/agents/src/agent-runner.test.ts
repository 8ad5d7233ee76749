import { VirtualClock } from '@ballast/core';
import type { AgentCallRecord } from '@ballast/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decideWithAgents } from './pipeline/decide-with-agents';
import { DEFAULT_LESSONS, type LessonStore } from './pipeline/lessons';
import { AnthropicProvider } from './providers/anthropic/anthropic-provider';
import { GeminiProvider } from './providers/gemini/gemini-provider';
import { harness, MemoryAudit } from './testing/harness';
import { fixtureFor, recordedBtcCandles } from './testing/market-fixture';
import { type ScriptedServer, startScriptedServer } from './testing/scripted-server';
import {
  anthropicError,
  anthropicText,
  anthropicToolUse,
  geminiError,
  geminiJson,
} from './testing/wire-replies';

const KEY = 'sk-ant-test-runner-5f1e2d3c4b5a';
const NO_LESSONS: LessonStore = { add: async () => {}, recent: async () => [] };
// Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
const candles = recordedBtcCandles();
const { candidate, features } = fixtureFor(candles);
const context = { correlationId: 'corr-runner-1', features, recentCandles: candles };
const APPROVE_HALF = { approve: true, sizeMultiplier: 0.5, reasons: ['trend intact'] };

describe('AgentRunner with Claude as reviewer and Gemini as analyst', () => {
  let claude: ScriptedServer;
  let gemini: ScriptedServer;
  beforeAll(async () => {
    claude = await startScriptedServer();
    gemini = await startScriptedServer();
  });
  afterAll(async () => {
    await claude.close();
    await gemini.close();
  });

  function setup(options: { budgetUsd?: number; clock?: VirtualClock } = {}) {
    const clock = options.clock ?? new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const audit = new MemoryAudit();
    const reviewer = harness({
      provider: new AnthropicProvider({ apiKey: KEY, model: 'claude-sonnet-5', baseURL: claude.url }),
      clock,
      audit,
      // Long enough for a loaded machine; the hang test waits it out three times.
      timeoutMs: 2_000,
      ...(options.budgetUsd === undefined ? {} : { budgetUsd: options.budgetUsd }),
    });
    const analyst = harness({
      provider: new GeminiProvider({
        apiKey: 'AIza-test-key',
        model: 'gemini-2.0-flash',
        baseUrl: gemini.url,
      }),
      clock,
      audit,
    });
    const deps = {
      analyst: analyst.runner,
      reviewer: reviewer.runner,
      lessons: NO_LESSONS,
      lessonConfig: DEFAULT_LESSONS,
    };
    return { clock, audit, reviewer, analyst, deps };
  }

  function analystReply() {
    return geminiJson(
      JSON.stringify({
        setup: 'pullback',
        trend: 'up',
        strength: 30,
        entryLow: candidate.entry * 0.998,
        entryHigh: candidate.entry,
        stop: candidate.stop,
        takeProfit: candidate.takeProfits[0],
        confidence: 66,
        reasoning: 'higher lows',
      }),
      { promptTokenCount: 2_000, candidatesTokenCount: 300 },
    );
  }

  it('combines both verdicts into a decision and accounts cost from usage tokens', async () => {
    const { audit, reviewer, deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicToolUse('review_verdict', APPROVE_HALF, { input_tokens: 10_000, output_tokens: 1_000 }),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.approved).toBe(true);
    expect(decision.sizeMultiplier).toBe(0.5);
    expect(decision.analyst?.trend).toBe('up');
    expect(decision.reviewer?.meta).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-5',
      fallbackUsed: false,
      auditId: audit.rows[1]?.id,
    });
    // 10,000 in × $3/M + 1,000 out × $15/M = $0.045; Gemini: 2,000 × $0.1/M + 300 × $0.4/M = $0.00032.
    expect(audit.rows.map((r) => [r.agent, r.costUsd, r.tokensIn, r.tokensOut, r.correlationId])).toEqual([
      ['analyst', expect.closeTo(0.00032, 10), 2_000, 300, 'corr-runner-1'],
      ['reviewer', expect.closeTo(0.045, 10), 10_000, 1_000, 'corr-runner-1'],
    ]);
    expect(reviewer.budget.spentTodayUsd()).toBeCloseTo(0.045, 10);
    const metrics = await reviewer.registry.getSingleMetricAsString('ballast_agent_cost_usd_total');
    expect(metrics).toContain('ballast_agent_cost_usd_total{provider="anthropic",agent="reviewer"} 0.045');
  });

  it('retries a 429 after the Retry-After wait and a 500 with backoff, then succeeds', async () => {
    const { reviewer, analyst, deps } = setup();
    gemini.enqueue(geminiError(503, 'UNAVAILABLE'), analystReply());
    claude.enqueue(
      anthropicError(429, 'rate_limit_error', { 'retry-after': '2' }),
      anthropicToolUse('review_verdict', APPROVE_HALF),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(false);
    expect(decision.analyst?.meta.fallbackUsed).toBe(false);
    expect(reviewer.sleeps).toEqual([2_000]);
    // Full jitter with random() = 0.5 on a 500 ms base.
    expect(analyst.sleeps).toEqual([250]);
  });

  it('falls back to the rules on a schema-invalid reply without retrying, and audits the fallback', async () => {
    const { audit, deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(anthropicToolUse('review_verdict', { approve: 'yes', sizeMultiplier: 0.5, reasons: [] }));
    const before = claude.requests.length;
    const decision = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length - before).toBe(1);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect(decision.reviewer?.reasons[0]).toMatch(/^rules: approved/);
    const row = audit.rows.find((r) => r.agent === 'reviewer');
    expect(row).toMatchObject({ fallbackUsed: true, errorReason: 'invalid_reply', provider: 'anthropic' });
    expect(row?.rawResponse).toContain('"approve":"yes"');
  });

  it('opens the breaker after 3 failures, refuses without calling, and recovers via a half-open probe', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const { reviewer, audit, deps } = setup({ clock });
    gemini.enqueue(analystReply(), analystReply(), analystReply(), analystReply());
    claude.enqueue(
      anthropicError(500, 'api_error'),
      anthropicError(500, 'api_error'),
      anthropicError(500, 'api_error'),
    );
    const first = await decideWithAgents(candidate, context, deps);
    expect(first.reviewer?.meta.fallbackUsed).toBe(true);
    expect(reviewer.breaker.state()).toBe('open');
    expect(await reviewer.registry.getSingleMetricAsString('ballast_agent_breaker_state')).toContain(
      'ballast_agent_breaker_state{provider="anthropic"} 2',
    );

    const sent = claude.requests.length;
    const second = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length).toBe(sent);
    expect(second.reviewer?.meta.fallbackUsed).toBe(true);
    expect(audit.rows.at(-1)?.errorReason).toBe('circuit_open');

    clock.advance(5 * 60_000 - 1);
    expect(reviewer.breaker.state()).toBe('open');
    clock.advance(1);
    expect(reviewer.breaker.state()).toBe('half_open');
    claude.enqueue(anthropicError(500, 'api_error'));
    await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length).toBe(sent + 1);
    expect(reviewer.breaker.state()).toBe('open');

    clock.advance(5 * 60_000);
    claude.enqueue(anthropicToolUse('review_verdict', APPROVE_HALF));
    const recovered = await decideWithAgents(candidate, context, deps);
    expect(recovered.reviewer?.meta.fallbackUsed).toBe(false);
    expect(reviewer.breaker.state()).toBe('closed');
  });

  it('times out a hung call and falls back after the retries', async () => {
    const { audit, reviewer, deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue({ hang: true }, { hang: true }, { hang: true });
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect(audit.rows.at(-1)?.errorReason).toBe('timeout');
    expect(reviewer.sleeps).toHaveLength(2);
  });

  it('refuses calls once the daily budget is spent, until the next UTC day', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const { reviewer, audit, deps } = setup({ clock, budgetUsd: 0.04 });
    gemini.enqueue(analystReply(), analystReply(), analystReply());
    claude.enqueue(
      anthropicToolUse('review_verdict', APPROVE_HALF, { input_tokens: 10_000, output_tokens: 1_000 }),
    );
    await decideWithAgents(candidate, context, deps);
    const sent = claude.requests.length;
    const refused = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length).toBe(sent);
    expect(refused.reviewer?.meta.fallbackUsed).toBe(true);
    expect(audit.rows.at(-1)?.errorReason).toBe('budget_exceeded');
    clock.set(Date.UTC(2022, 9, 12));
    claude.enqueue(anthropicToolUse('review_verdict', APPROVE_HALF));
    expect((await decideWithAgents(candidate, context, deps)).reviewer?.meta.fallbackUsed).toBe(false);
    expect(reviewer.logLines.join('\n')).toContain('budget_exceeded');
  });

  it('counts the tokens of replies it could not read against the budget and in the audit', async () => {
    const { audit, reviewer, analyst, deps } = setup();
    // Billed but unreadable: Claude answers text instead of the forced tool; Gemini's JSON is cut off.
    gemini.enqueue(
      geminiJson('{"setup": "pullback", "trend": ', { promptTokenCount: 2_000, candidatesTokenCount: 300 }),
    );
    claude.enqueue(anthropicText('I would approve half.'));
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.analyst?.meta.fallbackUsed).toBe(true);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    // Claude: 900 × $3/M + 40 × $15/M = $0.0033; Gemini: 2,000 × $0.1/M + 300 × $0.4/M = $0.00032.
    expect(audit.rows.map((r) => [r.agent, r.errorReason, r.tokensIn, r.tokensOut, r.costUsd])).toEqual([
      ['analyst', 'malformed_response', 2_000, 300, expect.closeTo(0.00032, 10)],
      ['reviewer', 'malformed_response', 900, 40, expect.closeTo(0.0033, 10)],
    ]);
    expect(reviewer.budget.spentTodayUsd()).toBeCloseTo(0.0033, 10);
    expect(analyst.budget.spentTodayUsd()).toBeCloseTo(0.00032, 10);
  });

  it('never lets the reviewer enlarge a position: a reply of 1.7 is clamped to 1', async () => {
    const { deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 1.7, reasons: ['strong'] }),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(false);
    expect(decision.sizeMultiplier).toBe(1);
  });

  it('keeps the key out of every audit row and log line, through failures and successes', async () => {
    const { audit, reviewer, deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(anthropicError(401, 'authentication_error'));
    await decideWithAgents(candidate, context, deps);
    expect(claude.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(reviewer.logLines.length).toBeGreaterThan(0);
    expect(reviewer.logLines.join('\n')).not.toContain(KEY);
    expect(JSON.stringify(audit.rows)).not.toContain(KEY);
  });
});

/** Audit rows whose first write is held until released: shows what runs while a row is written. */
class HeldAudit extends MemoryAudit {
  release: () => void = () => {};
  private readonly held = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  override async record(call: AgentCallRecord): Promise<void> {
    await super.record(call);
    if (this.rows.length === 1) await this.held;
  }
}

describe('decideWithAgents audit writes', () => {
  it("asks the reviewer while the analyst's audit row is written, and decides once both rows are", async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const audit = new HeldAudit();
    const deps = {
      analyst: harness({ provider: null, clock, audit }).runner,
      reviewer: harness({ provider: null, clock, audit }).runner,
      lessons: NO_LESSONS,
      lessonConfig: DEFAULT_LESSONS,
    };
    let decided = false;
    const deciding = decideWithAgents(candidate, context, deps).then((d) => {
      decided = true;
      return d;
    });
    await vi.waitFor(() => expect(audit.rows.map((r) => r.agent)).toEqual(['analyst', 'reviewer']));
    expect(decided).toBe(false);
    audit.release();
    const decision = await deciding;
    expect([decision.analyst?.meta.auditId, decision.reviewer?.meta.auditId]).toEqual(
      audit.rows.map((r) => r.id),
    );
  });
});

describe('decideWithAgents lessons', () => {
  it('reads no lessons when the rules decide on both sides, and reads them when a model reads the prompt', async () => {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const queries: unknown[] = [];
    const lessons: LessonStore = {
      add: async () => {},
      recent: async (query) => {
        queries.push(query);
        return [];
      },
    };
    const rules = () => harness({ provider: null, clock, audit: new MemoryAudit() }).runner;
    const decision = await decideWithAgents(candidate, context, {
      analyst: rules(),
      reviewer: rules(),
      lessons,
      lessonConfig: DEFAULT_LESSONS,
    });
    expect(decision.analyst?.meta.provider).toBe('rules');
    expect(queries).toEqual([]);
    // A model that cannot be reached falls back to the rules, but its prompt was built with the lessons.
    const unreachable = harness({
      provider: new AnthropicProvider({
        apiKey: KEY,
        model: 'claude-sonnet-5',
        baseURL: 'http://127.0.0.1:9',
      }),
      clock,
      audit: new MemoryAudit(),
      timeoutMs: 2_000,
    }).runner;
    await decideWithAgents(candidate, context, {
      analyst: rules(),
      reviewer: unreachable,
      lessons,
      lessonConfig: DEFAULT_LESSONS,
    });
    expect(queries).toHaveLength(1);
  });
});
