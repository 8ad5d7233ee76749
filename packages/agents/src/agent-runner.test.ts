import type { VolatilityRegime } from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import type { AgentCallRecord } from '@ballast/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decideWithAgents } from './pipeline/decide-with-agents';
import { DEFAULT_LESSONS, type LessonStore } from './pipeline/lessons';
import { VETO_KEPT } from './pipeline/verdict-schemas';
import type { LanguageModelProvider } from './provider';
import { AnthropicProvider } from './providers/anthropic/anthropic-provider';
import { GeminiProvider } from './providers/gemini/gemini-provider';
import { OpenAiCompatibleProvider } from './providers/openai-compatible/openai-compatible-provider';
import { decisionSummary } from './reflection/decision-summary';
import { harness, MemoryAudit } from './testing/harness';
import { fixtureFor, recordedBtcCandles } from './testing/market-fixture';
import { type ScriptedReply, type ScriptedServer, startScriptedServer } from './testing/scripted-server';
import {
  anthropicError,
  anthropicText,
  anthropicToolUse,
  anthropicToolUses,
  geminiError,
  geminiJson,
} from './testing/wire-replies';

const KEY = 'sk-ant-test-runner-5f1e2d3c4b5a';
const NO_LESSONS: LessonStore = { add: async () => {}, recent: async () => [] };
// Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
const candles = recordedBtcCandles();
const { candidate, features } = fixtureFor(candles);
const context = { correlationId: 'corr-runner-1', features, recentCandles: candles };
/** The context with another volatility regime. */
function inVolatility(level: VolatilityRegime['level'], positionScale: number) {
  return {
    ...context,
    features: { ...features, volatility: { ...features.volatility, level, positionScale } },
  };
}
const APPROVE_HALF = { approve: true, sizeMultiplier: 0.5, reasons: ['trend intact'] };
/** A review_verdict tool call whose reply stopped with `stopReason` instead of at the tool call. */
function reviewStoppedWith(stopReason: string, input: unknown): ScriptedReply {
  const reply = anthropicToolUse('review_verdict', input) as { status: number; body: string };
  return { ...reply, body: JSON.stringify({ ...JSON.parse(reply.body), stop_reason: stopReason }) };
}

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

  function setup(
    options: { budgetUsd?: number; clock?: VirtualClock; reviewerFallback?: 'rules' | 'reject' } = {},
  ) {
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
      ...(options.reviewerFallback === undefined ? {} : { reviewerFallback: options.reviewerFallback }),
    };
    return { clock, audit, reviewer, analyst, deps };
  }

  function analystReply(
    usage: Parameters<typeof geminiJson>[1] = { promptTokenCount: 2_000, candidatesTokenCount: 300 },
  ) {
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
      usage,
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
    // Billed by the usage the vendors reported: nothing of it estimated.
    expect(audit.rows.map((r) => r.costEstimatedUsd)).toEqual([0, 0]);
    const metrics = await reviewer.registry.getSingleMetricAsString('ballast_agent_cost_usd_total');
    expect(metrics).toContain('ballast_agent_cost_usd_total{provider="anthropic",agent="reviewer"} 0.045');
  });

  it("counts Claude's cached prompt tokens, which input_tokens leaves out: writes at 1.25× (5 min) or 2× (1 h) the input price, reads at 0.1×", async () => {
    const { audit, reviewer, deps } = setup();
    gemini.enqueue(analystReply());
    // A prompt cached (by a top-level cache_control, or a gateway adding one): the Messages API reports only
    // the uncached tail as input_tokens.
    claude.enqueue(
      anthropicToolUse('review_verdict', APPROVE_HALF, {
        input_tokens: 100,
        output_tokens: 1_000,
        cache_creation_input_tokens: 6_000,
        cache_read_input_tokens: 10_000,
        cache_creation: { ephemeral_5m_input_tokens: 4_000, ephemeral_1h_input_tokens: 2_000 },
      }),
    );
    await decideWithAgents(candidate, context, deps);
    // $3/M: 100 × 3 + 4,000 × 3.75 + 2,000 × 6 + 10,000 × 0.3 = 30,300; 1,000 out × $15/M = 15,000.
    expect(audit.rows.map((r) => [r.agent, r.tokensIn, r.tokensOut, r.costUsd])).toEqual([
      ['analyst', 2_000, 300, expect.closeTo(0.00032, 10)],
      ['reviewer', 16_100, 1_000, expect.closeTo(0.0453, 10)],
    ]);
    expect(reviewer.budget.spentTodayUsd()).toBeCloseTo(0.0453, 10);
  });

  it('retries a 429 after the Retry-After wait and a 500 with backoff, then succeeds, audited without an error', async () => {
    const { reviewer, analyst, deps, audit } = setup();
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
    expect(audit.rows.map((r) => [r.agent, r.fallbackUsed, r.errorReason])).toEqual([
      ['analyst', false, null],
      ['reviewer', false, null],
    ]);
  });

  it('takes the fallback at once on a 429 asking for a longer wait than the retry cap, instead of retrying into another 429', async () => {
    const { reviewer, deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(anthropicError(429, 'rate_limit_error', { 'retry-after': '60' }));
    const before = claude.requests.length;
    const decision = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length - before).toBe(1);
    expect(reviewer.sleeps).toEqual([]);
    expect(decision.rejection).toEqual({ reason: 'reviewer_failed', detail: 'rate_limited' });
    expect(reviewer.breaker.state()).toBe('closed');
  });

  it('takes the fallback at once on a Gemini quota 429 whose RetryInfo asks for a longer wait than the cap', async () => {
    const { analyst, deps } = setup();
    const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' };
    gemini.enqueue(geminiError(429, 'RESOURCE_EXHAUSTED', [retryInfo]));
    claude.enqueue(anthropicToolUse('review_verdict', APPROVE_HALF));
    const before = gemini.requests.length;
    const decision = await decideWithAgents(candidate, context, deps);
    expect(gemini.requests.length - before).toBe(1);
    expect([analyst.sleeps, analyst.breaker.state()]).toEqual([[], 'closed']);
    expect(decision.analyst?.meta.fallbackUsed).toBe(true);
  });

  it('rejects on a schema-invalid reviewer reply without retrying, even with REVIEWER_FALLBACK=rules, and audits the fallback', async () => {
    const { audit, deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    claude.enqueue(anthropicToolUse('review_verdict', { approve: 'yes', sizeMultiplier: 0.5, reasons: [] }));
    const before = claude.requests.length;
    const decision = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length - before).toBe(1);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect([decision.approved, decision.rejection, decision.reviewer?.reasons]).toEqual([
      false,
      { reason: 'reviewer_failed', detail: 'invalid_reply' },
      ['reviewer_failed: invalid_reply'],
    ]);
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

  /**
   * One agent asked of `provider` (`agent`), the other the rules, with `retry.maxAttempts` attempts:
   * the asked agent's audit row and how much of its budget it spent.
   */
  async function askedAlone(
    agent: 'analyst' | 'reviewer',
    provider: LanguageModelProvider,
    options: { timeoutMs?: number; maxAttempts: number },
  ) {
    const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
    const audit = new MemoryAudit();
    const asked = harness({
      provider,
      clock,
      audit,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      retry: { maxAttempts: options.maxAttempts, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const rules = harness({ provider: null, clock, audit });
    const decision = await decideWithAgents(candidate, context, {
      analyst: agent === 'analyst' ? asked.runner : rules.runner,
      reviewer: agent === 'reviewer' ? asked.runner : rules.runner,
      lessons: NO_LESSONS,
      lessonConfig: DEFAULT_LESSONS,
    });
    const row = audit.rows.find((r) => r.agent === agent);
    const estimated = await asked.registry.getSingleMetricAsString('ballast_agent_estimated_cost_usd_total');
    const fallbackUsed = decision[agent]?.meta.fallbackUsed;
    return {
      row,
      prompt: row?.prompt.length ?? 0,
      spent: asked.budget.spentTodayUsd(),
      estimated,
      fallbackUsed,
    };
  }

  const sonnet = () => new AnthropicProvider({ apiKey: KEY, model: 'claude-sonnet-5', baseURL: claude.url });

  it('counts each timed-out call at its ceiling against the budget and in the audit: the vendor bills what it generates after we stop waiting', async () => {
    claude.enqueue({ hang: true }, { hang: true });
    const { row, prompt, spent, estimated, fallbackUsed } = await askedAlone('reviewer', sonnet(), {
      timeoutMs: 150,
      maxAttempts: 2,
    });
    expect(fallbackUsed).toBe(true);
    // Two sends, each the prompt at 3 chars a token ($3/M) and all 2,048 output tokens allowed ($15/M).
    const ceiling = (Math.ceil(prompt / 3) * 3 + 2_048 * 15) / 1_000_000;
    expect([row?.errorReason, row?.tokensIn, row?.tokensOut]).toEqual(['timeout', 0, 0]);
    expect(row?.costUsd).toBeCloseTo(2 * ceiling, 12);
    expect(spent).toBeCloseTo(2 * ceiling, 12);
    // An estimate, and said so (ADR 25): apart in the row and in its own metric.
    expect(row?.costEstimatedUsd).toBeCloseTo(2 * ceiling, 12);
    expect(estimated).toContain(
      `ballast_agent_estimated_cost_usd_total{provider="anthropic",agent="reviewer"} ${2 * ceiling}`,
    );
  });

  it('counts a reply whose connection dropped after its headers at its ceiling: the vendor answered and bills it', async () => {
    const cut = { status: 200, cutAfter: '{"id": "msg_01Cut", "type": "message", ' };
    claude.enqueue(cut, cut);
    const { row, prompt, spent, fallbackUsed } = await askedAlone('reviewer', sonnet(), { maxAttempts: 2 });
    expect(fallbackUsed).toBe(true);
    const ceiling = (Math.ceil(prompt / 3) * 3 + 2_048 * 15) / 1_000_000;
    expect([row?.errorReason, row?.tokensIn, row?.tokensOut]).toEqual(['network', 0, 0]);
    expect(row?.costUsd).toBeCloseTo(2 * ceiling, 12);
    expect(spent).toBeCloseTo(2 * ceiling, 12);
  });

  it('estimates a reply whose vendor reported no usage from its prompt and text, said to be estimated: a hosted model bills it all the same', async () => {
    const verdict = JSON.stringify(APPROVE_HALF);
    claude.enqueue({
      status: 200,
      body: JSON.stringify({ choices: [{ message: { content: verdict }, finish_reason: 'stop' }] }),
    });
    const hosted = new OpenAiCompatibleProvider({
      baseUrl: claude.url,
      model: 'hosted-compatible',
      apiKey: 'sk-or-v1-test-compatible',
    });
    const { row, prompt, spent, estimated, fallbackUsed } = await askedAlone('reviewer', hosted, {
      maxAttempts: 1,
    });
    expect(fallbackUsed).toBe(false);
    // The prompt and the reply at 3 chars a token, at $2/M in and $8/M out.
    const estimate = (Math.ceil(prompt / 3) * 2 + Math.ceil(verdict.length / 3) * 8) / 1_000_000;
    expect([row?.costUsd, row?.costEstimatedUsd, spent]).toEqual([estimate, estimate, estimate]);
    expect(estimated).toContain(
      `ballast_agent_estimated_cost_usd_total{provider="openai-compatible",agent="reviewer"} ${estimate}`,
    );
  });

  it("counts a timed-out Gemini 2.5 Pro call's thinking budget in its ceiling: the vendor bills thinking as output", async () => {
    gemini.enqueue({ hang: true });
    const pro = new GeminiProvider({ apiKey: 'AIza-test-key', model: 'gemini-2.5-pro', baseUrl: gemini.url });
    const { row, prompt, spent, fallbackUsed } = await askedAlone('analyst', pro, {
      timeoutMs: 150,
      maxAttempts: 1,
    });
    expect(fallbackUsed).toBe(true);
    // The prompt at 3 chars a token ($1.25/M), the 2,048 output tokens and the 128 of thinking ($10/M).
    const ceiling = (Math.ceil(prompt / 3) * 1.25 + (2_048 + 128) * 10) / 1_000_000;
    expect(row?.errorReason).toBe('timeout');
    expect(row?.costUsd).toBeCloseTo(ceiling, 12);
    expect(spent).toBeCloseTo(ceiling, 12);
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
    const decision = await decideWithAgents(candidate, inVolatility('normal', 1), deps);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(false);
    expect(decision.sizeMultiplier).toBe(1);
  });

  it("counts a thinking model's thoughts as output tokens: in the cost, the audit row, the budget and the metrics", async () => {
    const { audit, analyst, deps } = setup();
    gemini.enqueue(
      analystReply({ promptTokenCount: 2_000, candidatesTokenCount: 300, thoughtsTokenCount: 1_200 }),
    );
    claude.enqueue(anthropicToolUse('review_verdict', APPROVE_HALF));
    await decideWithAgents(candidate, context, deps);
    // 2,000 in × $0.1/M + (300 + 1,200) out × $0.4/M = $0.0008.
    expect(audit.rows.find((r) => r.agent === 'analyst')).toMatchObject({
      tokensIn: 2_000,
      tokensOut: 1_500,
      costUsd: expect.closeTo(0.0008, 10),
    });
    expect(analyst.budget.spentTodayUsd()).toBeCloseTo(0.0008, 10);
    expect(await analyst.registry.getSingleMetricAsString('ballast_agent_tokens_total')).toContain(
      'ballast_agent_tokens_total{provider="gemini",agent="analyst",direction="output"} 1500',
    );
  });

  it('rejects when the reviewer says no in prose instead of the verdict, even with REVIEWER_FALLBACK=rules', async () => {
    const { audit, deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicText('I cannot approve this trade: funding is extreme and the stop is too tight.'),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect([decision.approved, decision.sizeMultiplier, decision.rejection]).toEqual([
      false,
      0,
      { reason: 'reviewer_failed', detail: 'malformed_response' },
    ]);
    expect(audit.rows.find((r) => r.agent === 'reviewer')?.rawResponse).toContain('I cannot approve');
  });

  it('rejects when the reviewer calls its verdict tool twice, approving then rejecting, even with REVIEWER_FALLBACK=rules', async () => {
    const { audit, deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicToolUses('review_verdict', [
        APPROVE_HALF,
        { approve: false, sizeMultiplier: 0, reasons: ['stop inside the noise'] },
      ]),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect([decision.approved, decision.sizeMultiplier, decision.rejection]).toEqual([
      false,
      0,
      { reason: 'reviewer_failed', detail: 'malformed_response' },
    ]);
    expect(audit.rows.find((r) => r.agent === 'reviewer')?.rawResponse).toContain('stop inside the noise');
  });

  it('rejects a reviewer reply whose connection dropped after its headers, even with REVIEWER_FALLBACK=rules: the vendor answered, and may have said no', async () => {
    const { audit, deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    const cut = { status: 200, cutAfter: '{"id": "msg_01Cut", "type": "message", ' };
    claude.enqueue(cut, cut, cut);
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.rejection).toEqual({ reason: 'reviewer_failed', detail: 'network' });
    expect(decision.reviewer?.approve).toBe(false);
    expect(audit.rows.at(-1)?.errorReason).toBe('network');
  });

  it('rejects when an earlier attempt was such a reply, though the retries after it met only 503s', async () => {
    const { deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    const cut = { status: 200, cutAfter: '{"id": "msg_01Cut", "type": "message", ' };
    claude.enqueue(cut, { status: 503, body: '' }, { status: 503, body: '' });
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.rejection?.reason).toBe('reviewer_failed');
    expect(decision.reviewer?.approve).toBe(false);
  });

  it('still lets the rules review with REVIEWER_FALLBACK=rules when the reviewer could not be reached at all', async () => {
    const { deps } = setup({ reviewerFallback: 'rules' });
    gemini.enqueue(analystReply());
    claude.enqueue({ status: 503, body: '' }, { status: 503, body: '' }, { status: 503, body: '' });
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect(decision.rejection?.reason).not.toBe('reviewer_failed');
  });

  it('rejects a reviewer reply cut off at the token cap or refused, even with REVIEWER_FALLBACK=rules', async () => {
    const { deps } = setup({ reviewerFallback: 'rules' });
    const rejections = [];
    for (const stop of ['max_tokens', 'refusal']) {
      gemini.enqueue(analystReply());
      // What survived the cut reads as an approval; the reasons it was still writing may have said no.
      claude.enqueue(reviewStoppedWith(stop, APPROVE_HALF));
      rejections.push((await decideWithAgents(candidate, context, deps)).rejection);
    }
    expect(rejections).toEqual([
      { reason: 'reviewer_failed', detail: 'truncated' },
      { reason: 'reviewer_failed', detail: 'refused' },
    ]);
  });

  it("keeps a veto whose reply fails the schema (11 reasons, a reason over 500 chars) as the reviewer's rejection with its reasons, audited as an invalid reply", async () => {
    const { audit, deps } = setup();
    const longReason = `funding flipped; ${'x'.repeat(600)}`;
    const reasons = [longReason, ...Array.from({ length: 10 }, (_, i) => `concern ${i + 1}`)];
    gemini.enqueue(analystReply());
    claude.enqueue(anthropicToolUse('review_verdict', { approve: false, sizeMultiplier: 0, reasons }));
    const before = claude.requests.length;
    const decision = await decideWithAgents(candidate, context, deps);
    expect(claude.requests.length - before).toBe(1);
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect(decision.reviewer?.reasons).toEqual([VETO_KEPT, longReason.slice(0, 500), ...reasons.slice(1, 9)]);
    expect(decision).toMatchObject({
      approved: false,
      sizeMultiplier: 0,
      rejection: { reason: 'reviewer_rejected', detail: decision.reviewer?.reasons.join('; ') },
    });
    // What the reflector reads of it: the reviewer's reasons, not only that the reply was invalid.
    expect(decisionSummary(decision)).toMatch(
      /^rejected by the reviewer: invalid_reply: veto kept .*; funding flipped; /,
    );
    const row = audit.rows.find((r) => r.agent === 'reviewer');
    expect(row).toMatchObject({
      fallbackUsed: true,
      errorReason: 'invalid_reply',
      verdict: { approve: false, sizeMultiplier: 0, reasons: decision.reviewer?.reasons },
    });
    expect(row?.rawResponse).toContain('concern 10');
  });

  /** An analyst reply, then a reviewer failing every attempt with 5xx. */
  function enqueueReviewerOutage() {
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicError(500, 'api_error'),
      anthropicError(529, 'overloaded_error'),
      anthropicError(500, 'api_error'),
    );
  }

  it('with REVIEWER_FALLBACK=reject rejects a candidate the reviewer failed to review, saying why', async () => {
    const { audit, deps } = setup({ reviewerFallback: 'reject' });
    enqueueReviewerOutage();
    const decision = await decideWithAgents(candidate, context, deps);
    expect(decision).toMatchObject({
      approved: false,
      sizeMultiplier: 0,
      rejection: { reason: 'reviewer_failed', detail: 'server_error' },
    });
    expect(decision.reviewer?.meta.fallbackUsed).toBe(true);
    expect(audit.rows.find((r) => r.agent === 'reviewer')).toMatchObject({
      fallbackUsed: true,
      errorReason: 'server_error',
      verdict: { approve: false, sizeMultiplier: 0, reasons: ['reviewer_failed: server_error'] },
    });
    // The default rejects too; the same failure with REVIEWER_FALLBACK=rules opted into reviews by the
    // rules, which approve this candidate.
    const byDefault = setup();
    enqueueReviewerOutage();
    const rejected = await decideWithAgents(candidate, context, byDefault.deps);
    expect([rejected.approved, rejected.rejection]).toEqual([
      false,
      { reason: 'reviewer_failed', detail: 'server_error' },
    ]);
    const rules = setup({ reviewerFallback: 'rules' });
    enqueueReviewerOutage();
    const reviewed = await decideWithAgents(candidate, context, rules.deps);
    expect([reviewed.approved, reviewed.rejection, reviewed.reviewer?.reasons[0]]).toEqual([
      true,
      null,
      expect.stringMatching(/^rules: approved/),
    ]);
  });

  it('decides an approval at size 0 as the rejection it is, instead of an approval risk then denies as below the venue minimum', async () => {
    const { deps } = setup();
    gemini.enqueue(analystReply());
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 0, reasons: ['volume too thin'] }),
    );
    const decision = await decideWithAgents(candidate, context, deps);
    expect([decision.approved, decision.sizeMultiplier, decision.rejection]).toEqual([
      false,
      0,
      { reason: 'reviewer_rejected', detail: 'approved at size 0: volume too thin' },
    ]);
  });

  it("caps a model's approval at the volatility regime's scale and rejects in extreme volatility", async () => {
    const { deps } = setup();
    const fullSize = { approve: true, sizeMultiplier: 1, reasons: ['model: go'] };
    gemini.enqueue(analystReply(), analystReply());
    claude.enqueue(
      anthropicToolUse('review_verdict', fullSize),
      anthropicToolUse('review_verdict', fullSize),
    );
    const high = await decideWithAgents(candidate, inVolatility('high', 0.5), deps);
    expect([high.approved, high.sizeMultiplier, high.reviewer?.sizeMultiplier]).toEqual([true, 0.5, 1]);
    const extreme = await decideWithAgents(candidate, inVolatility('extreme', 0.25), deps);
    expect(extreme).toMatchObject({
      approved: false,
      sizeMultiplier: 0,
      rejection: { reason: 'extreme_volatility', detail: 'volatility ratio 1 is extreme' },
      reviewer: { approve: true, sizeMultiplier: 1 },
    });
    // A lesson about it names the guard, not the reviewer that approved.
    expect(decisionSummary(extreme)).toBe('rejected (extreme_volatility): volatility ratio 1 is extreme');
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
