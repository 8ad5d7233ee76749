import { VirtualClock } from '@ballast/core';
import { AgentCallRepository, AgentLessonRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideWithAgents } from '../pipeline/decide-with-agents';
import { DEFAULT_LESSONS } from '../pipeline/lessons';
import { reflect } from '../pipeline/reflect';
import { AnthropicProvider } from '../providers/anthropic/anthropic-provider';
import { harness } from '../testing/harness';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { type ScriptedServer, startScriptedServer } from '../testing/scripted-server';
import { anthropicError, anthropicToolUse } from '../testing/wire-replies';
import { promptSha256 } from './prompt-hash';

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
});
