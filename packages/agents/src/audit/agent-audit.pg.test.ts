import { VirtualClock } from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  createDb,
  type DbHandle,
  migrate,
  SignalDecisionRepository,
} from '@ballast/db';
import { createLogger, loadConfig } from '@ballast/service-kit';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentsConfigSchema } from '../config/agents-config';
import { buildAgentsFromConfig } from '../config/build-agents';
import { decideWithAgents } from '../pipeline/decide-with-agents';
import { DEFAULT_LESSONS } from '../pipeline/lessons';
import { reflect } from '../pipeline/reflect';
import { AnthropicProvider } from '../providers/anthropic/anthropic-provider';
import { auditedCall } from '../testing/audited-call';
import { harness } from '../testing/harness';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { type ScriptedServer, startScriptedServer } from '../testing/scripted-server';
import { anthropicError, anthropicToolUse } from '../testing/wire-replies';
import { promptSha256 } from './prompt-hash';
import { spentTodayUsd } from './spent-today';

const KEY = 'sk-ant-test-audit-9a8b7c6d5e4f';
// Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
const candles = recordedBtcCandles();
const { candidate, features } = fixtureFor(candles);

describe('agent audit and lessons on PostgreSQL', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let claude: ScriptedServer;
  const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));

  beforeAll(async () => {
    testDb = await createTestDatabase('agents_audit');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    claude = await startScriptedServer();
  });
  afterAll(async () => {
    await claude?.close();
    await handle?.db.destroy();
    await testDb?.drop();
  });

  function deps() {
    const audit = new AgentCallRepository(handle.db);
    const lessons = new AgentLessonRepository(handle.db);
    const reviewer = harness({
      provider: new AnthropicProvider({ apiKey: KEY, model: 'claude-sonnet-5', baseURL: claude.url }),
      clock,
      audit,
    });
    const analyst = harness({ provider: null, clock, audit });
    return { reviewer, analyst, lessons, audit };
  }

  it('stores every call with its prompt, matching hash, verdict and fallback flag, and never the key', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    claude.enqueue(
      anthropicError(500, 'api_error'),
      anthropicError(500, 'api_error'),
      anthropicError(500, 'api_error'),
    );
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-1', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    const rows = await audit.byCorrelationId('corr-audit-1');
    expect(rows.map((r) => [r.agent, r.provider, r.fallbackUsed, r.errorReason])).toEqual([
      ['analyst', 'rules', false, null],
      ['reviewer', 'anthropic', true, 'server_error'],
    ]);
    for (const row of rows) expect(row.promptSha256).toBe(promptSha256(row.prompt));
    expect(rows[1]?.verdict).toEqual({
      approve: decision.reviewer?.approve,
      sizeMultiplier: decision.reviewer?.sizeMultiplier,
      reasons: decision.reviewer?.reasons,
    });
    expect(rows[1]?.prompt).toContain('Analyst verdict:');
    expect(decision.reviewer?.meta.auditId).toBe(rows[1]?.id);

    const { rows: dump } = await sql<{
      row: string;
    }>`SELECT agent_calls::text AS row FROM agent_calls`.execute(handle.db);
    expect(dump.length).toBe(2);
    expect(dump.map((d) => d.row).join('\n')).not.toContain(KEY);
    expect(reviewer.logLines.join('\n')).not.toContain(KEY);
  });

  it('stores a verdict whose reasons carry a NUL character, without it, so the call is audited once', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    claude.enqueue(
      anthropicToolUse('review_verdict', {
        approve: true,
        sizeMultiplier: 0.5,
        reasons: ['trend\u0000 intact'],
      }),
    );
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-nul', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    expect(decision.reviewer?.reasons).toEqual(['trend intact']);
    const rows = await audit.byCorrelationId('corr-audit-nul');
    expect(rows.map((r) => [r.agent, r.errorReason])).toEqual([
      ['analyst', null],
      ['reviewer', null],
    ]);
    expect(decision.reviewer?.meta.auditId).toBe(rows[1]?.id);
    expect(rows[1]?.verdict).toMatchObject({ reasons: ['trend intact'] });
    expect(rows[1]?.rawResponse).not.toContain('\u0000');
  });

  it('stores a verdict whose reasons carry half an emoji (a lone UTF-16 surrogate), as U+FFFD, so the call and the decision are stored once', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    // The wire carries the escape "\ud83d" (JSON.stringify writes a lone surrogate so); jsonb refuses it.
    claude.enqueue(
      anthropicToolUse('review_verdict', {
        approve: true,
        sizeMultiplier: 0.5,
        reasons: ['trend \ud83d intact', 'momentum \ude80'],
      }),
    );
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-surrogate', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    const rows = await audit.byCorrelationId('corr-audit-surrogate');
    expect(rows.map((r) => [r.agent, r.errorReason])).toEqual([
      ['analyst', null],
      ['reviewer', null],
    ]);
    expect(decision.reviewer?.meta.auditId).toBe(rows[1]?.id);
    const decisions = new SignalDecisionRepository(handle.db);
    expect(await decisions.keepFirst('cand-surrogate', decision, clock.now())).toBeUndefined();
    expect((await decisions.first('cand-surrogate'))?.decision).toEqual(decision);
    expect(decision.reviewer?.reasons).toEqual(['trend \ufffd intact', 'momentum \ufffd']);
  });

  it('stores a veto kept from a reply whose over-long reason is cut inside an emoji, without half of it', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    // 499 characters, then an emoji (two UTF-16 units) across the schema's 500-character bound.
    const reason = `${'x'.repeat(499)}\u{1F680} funding extreme`;
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: false, sizeMultiplier: 0, reasons: [reason] }),
    );
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-cut', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    const rows = await audit.byCorrelationId('corr-audit-cut');
    expect(rows.map((r) => [r.agent, r.errorReason])).toEqual([
      ['analyst', null],
      ['reviewer', 'invalid_reply'],
    ]);
    expect(decision.reviewer?.meta.auditId).toBe(rows[1]?.id);
    const decisions = new SignalDecisionRepository(handle.db);
    expect(await decisions.keepFirst('cand-cut', decision, clock.now())).toBeUndefined();
    expect([decision.approved, decision.reviewer?.reasons[1]]).toEqual([false, 'x'.repeat(499)]);
  });

  it('lists calls since a time, newest first, with cost as a number', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    clock.advance(60_000);
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: false, sizeMultiplier: 0, reasons: ['late'] }),
    );
    await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-2', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    const recent = await audit.since(clock.now());
    expect(recent.map((r) => [r.agent, r.correlationId])).toEqual([
      ['reviewer', 'corr-audit-2'],
      ['analyst', 'corr-audit-2'],
    ]);
    expect(recent[0]?.costUsd).toBeCloseTo(0.006, 10);
  });

  it('keeps the part of a cost counted at its ceiling apart from what the vendor billed (ADR 25)', async () => {
    const audit = new AgentCallRepository(handle.db);
    const reviewer = harness({
      provider: new AnthropicProvider({ apiKey: KEY, model: 'claude-sonnet-5', baseURL: claude.url }),
      clock,
      audit,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    clock.advance(60_000);
    // Billed: a reply that is not the verdict tool (900 in, 40 out); estimated: a reply cut mid-body.
    claude.enqueue(
      { status: 200, cutAfter: '{"id": "msg_01Cut", "type": "message", ' },
      anthropicToolUse('review_verdict', { approve: 'yes' }, { input_tokens: 900, output_tokens: 40 }),
    );
    await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-estimated', features, recentCandles: candles },
      {
        analyst: harness({ provider: null, clock, audit }).runner,
        reviewer: reviewer.runner,
        lessons: new AgentLessonRepository(handle.db),
        lessonConfig: DEFAULT_LESSONS,
      },
    );
    const [row] = (await audit.byCorrelationId('corr-audit-estimated')).filter((r) => r.agent === 'reviewer');
    const billed = (900 * 3 + 40 * 15) / 1_000_000;
    const estimated = (Math.ceil((row?.prompt.length ?? 0) / 3) * 3 + 2_048 * 15) / 1_000_000;
    expect(row?.costUsd).toBeCloseTo(billed + estimated, 8);
    expect(row?.costEstimatedUsd).toBeCloseTo(estimated, 8);
  });

  it('writes lessons after a close and injects the newest into the next prompt; off means none', async () => {
    const { reviewer, analyst, lessons, audit } = deps();
    const reflector = harness({ provider: null, clock, audit });
    clock.advance(60_000);
    const written = await reflect(
      {
        correlationId: 'corr-audit-3',
        kind: 'closed_position',
        symbol: 'BTC-USDT',
        setup: 'pullback',
        side: 'long',
        entry: 100,
        stop: 90,
        outcomePrice: 85,
        decision: 'approved at 0.5',
      },
      {
        reflector: reflector.runner,
        lessons,
        lessonConfig: DEFAULT_LESSONS,
        clock,
        ids: () => crypto.randomUUID(),
      },
    );
    expect(written).toEqual([
      'Closed long BTC-USDT pullback at -1.5R, beyond the planned 1R loss: exits slipped past the stop.',
    ]);
    clock.advance(60_000);
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 0.3, reasons: ['ok'] }),
    );
    await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-4', features, recentCandles: candles },
      { analyst: analyst.runner, reviewer: reviewer.runner, lessons, lessonConfig: DEFAULT_LESSONS },
    );
    const sentPrompt = JSON.parse(claude.requests.at(-1)?.body ?? '{}').messages[0].content as string;
    expect(sentPrompt).toContain(`- ${written[0]}`);

    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 0.3, reasons: ['ok'] }),
    );
    await decideWithAgents(
      candidate,
      { correlationId: 'corr-audit-5', features, recentCandles: candles },
      {
        analyst: analyst.runner,
        reviewer: reviewer.runner,
        lessons,
        lessonConfig: { ...DEFAULT_LESSONS, enabled: false },
      },
    );
    expect(JSON.parse(claude.requests.at(-1)?.body ?? '{}').messages[0].content).not.toContain('Lessons');
  });
  it("counts what today's audited calls cost (UTC day, injected clock) against the budget after a restart", async () => {
    const today = new VirtualClock(Date.UTC(2023, 2, 1, 12));
    const audit = new AgentCallRepository(handle.db);
    await audit.record(
      auditedCall('00000000-0000-7000-8000-0000000a0001', Date.UTC(2023, 1, 28, 23, 59, 59), 4),
    );
    await audit.record(auditedCall('00000000-0000-7000-8000-0000000a0002', Date.UTC(2023, 2, 1), 0.03));
    await audit.record(auditedCall('00000000-0000-7000-8000-0000000a0003', Date.UTC(2023, 2, 1, 11), 0.02));
    const spent = await spentTodayUsd(handle.db, today);
    expect(spent).toBeCloseTo(0.05, 10);
    // A signals process restarted at noon with a $0.05 allowance has none left: Claude is not asked.
    const restarted = (budgetUsd: string) =>
      buildAgentsFromConfig(
        loadConfig(agentsConfigSchema, {
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_BASE_URL: claude.url,
          ANALYST_PROVIDER: 'rules',
          AGENT_DAILY_BUDGET_USD: budgetUsd,
        }),
        {
          clock: today,
          ids: () => crypto.randomUUID(),
          audit,
          metrics: new Registry(),
          log: createLogger({ service: 'agents-restart-test', destination: { write: () => {} } }),
          spentTodayUsd: spent,
        },
      );
    const ask = (agents: ReturnType<typeof restarted>) =>
      decideWithAgents(
        candidate,
        { correlationId: 'corr-restart', features, recentCandles: candles },
        {
          analyst: agents.analyst,
          reviewer: agents.reviewer,
          lessons: new AgentLessonRepository(handle.db),
          lessonConfig: DEFAULT_LESSONS,
        },
      );
    const sent = claude.requests.length;
    const refused = await ask(restarted('0.05'));
    expect(refused.reviewer?.meta.fallbackUsed).toBe(true);
    expect(claude.requests.length).toBe(sent);
    const rows = await audit.byCorrelationId('corr-restart');
    expect(rows.map((r) => [r.agent, r.errorReason])).toContainEqual(['reviewer', 'budget_exceeded']);
    // With $0.01 left it asks; the next UTC day starts from nothing whatever was spent.
    claude.enqueue(
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 0.5, reasons: ['ok'] }),
    );
    expect((await ask(restarted('0.06'))).reviewer?.meta.fallbackUsed).toBe(false);
    expect(claude.requests.length).toBe(sent + 1);
    today.set(Date.UTC(2023, 2, 2));
    expect(await spentTodayUsd(handle.db, today)).toBe(0);
  });
});
