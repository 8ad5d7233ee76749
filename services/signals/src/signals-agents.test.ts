import { agentsConfigSchema } from '@ballast/agents';
import {
  analystReply,
  anthropicToolUse,
  auditedCall,
  geminiError,
  geminiPrompt,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from '@ballast/agents/testing';
import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Envelope,
  type FeatureVector,
  pattern,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import {
  AgentCallRepository,
  AgentLessonRepository,
  CandleRepository,
  createDb,
  type DbHandle,
  migrate,
} from '@ballast/db';
import { createLogger, loadConfig } from '@ballast/service-kit';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalsConfigSchema } from './config';
import { startSignalsService } from './service';
import { deliveredAtBarClose, publishingClock } from './testing/bar-clock';
import { RECORDED_FILE, RECORDED_START, recordedBtcVectors } from './testing/recorded-vectors';

/** The test's models are not in the default price table: a paid model without a price is refused. */
const PRICES = {
  'claude-sonnet-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
};

const CLAUDE_KEY = 'sk-ant-signals-test-7c6b5a4f3e2d1c0b';
const GEMINI_KEY = 'AIza-signals-test-0a1b2c3d4e5f6a7b';
const { candles, vectors } = recordedBtcVectors();

describe.sequential(`signals service with Gemini as analyst and Claude as reviewer (feature vectors of ${RECORDED_FILE})`, () => {
  const prefix = `${uniqueName('signals_agents')}.`;
  // Each vector reaches the service as its bar closes (deliveredAtBarClose), as live.
  const clock = new VirtualClock(RECORDED_START);
  const logLines: string[] = [];
  let testDb: TestDatabase;
  let handle: DbHandle;
  let serviceBus: NatsBus;
  let testBus: NatsBus;
  let service: AsyncDisposable;
  let claude: ScriptedServer;
  let gemini: ScriptedServer;
  const candidates: Envelope<SignalCandidate>[] = [];
  const decisions: Envelope<SignalDecision>[] = [];
  const alerts: Alert[] = [];

  /** Feature envelope id → the vector's index, to tell which bar raised a candidate. */
  const barIndex = new Map<string, number>();
  const emitting = publishingClock(clock);

  async function publishVectors(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      const v = vectors[i] as FeatureVector;
      const sent = await emitting.publishing(v, () =>
        testBus.publish(
          subject(Subjects.features, { exchange: v.exchange, symbol: v.symbol, timeframe: v.timeframe }),
          v,
        ),
      );
      barIndex.set(sent.id, i);
    }
  }

  /** Decisions for the candidates raised by vectors[from, to), once all `count` arrived. */
  async function decisionsFor(from: number, to: number, count: number): Promise<Envelope<SignalDecision>[]> {
    const raisedHere = (c: Envelope<SignalCandidate>) => {
      const i = barIndex.get(c.causationId ?? '') ?? -1;
      return i >= from && i < to;
    };
    return waitFor(
      () => {
        const ids = new Set(
          candidates.filter((c) => c.payload.veto === null && raisedHere(c)).map((c) => c.payload.id),
        );
        const mine = decisions.filter((d) => ids.has(d.payload.candidate.id));
        return mine.length === count ? mine : undefined;
      },
      `${count} decisions for vectors ${from}..${to}`,
      { timeoutMs: 30_000 },
    );
  }

  /** The bar that raised a candidate. */
  function barOf(candidate: Envelope<SignalCandidate> | undefined): FeatureVector | undefined {
    return vectors[barIndex.get(candidate?.causationId ?? '') ?? -1];
  }

  beforeAll(async () => {
    const servers = await natsUrl();
    testDb = await createTestDatabase('signals_agents');
    handle = await createDb({ url: testDb.url, poolSize: 3 });
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany(candles);
    // Spend audited before this start (a restart): today's counts against the budget, yesterday's not.
    const dayStart = Math.floor(clock.now() / 86_400_000) * 86_400_000;
    const audit = new AgentCallRepository(handle.db);
    await audit.record(auditedCall('00000000-0000-7000-8000-0000000e0001', dayStart - 1, 3));
    await audit.record(auditedCall('00000000-0000-7000-8000-0000000e0002', dayStart, 1.25));
    claude = await startScriptedServer();
    gemini = await startScriptedServer();
    claude.respondWith(() =>
      anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 1.7, reasons: ['model: strong'] }),
    );
    gemini.respondWith(analystReply);
    serviceBus = await NatsBus.connect({ source: 'signals', clock, servers, prefix });
    await serviceBus.ensureStreams();
    testBus = await NatsBus.connect({ source: 'orders', clock: emitting, servers, prefix });
    await testBus.subscribe(pattern(Subjects.signalCandidate), (m) => void candidates.push(m), {
      durable: 'cand',
    });
    await testBus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'alerts',
    });
    await testBus.subscribe(pattern(Subjects.signalDecision), (m) => void decisions.push(m), {
      durable: 'dec',
    });
    service = await startSignalsService({
      bus: deliveredAtBarClose(serviceBus, clock),
      clock,
      db: handle.db,
      // No secrets handed to the logger: the test proves the key is never logged, not that it is scrubbed.
      log: createLogger({
        service: 'signals-agents-test',
        level: 'debug',
        destination: { write: (l) => logLines.push(l) },
      }),
      metrics: new Registry(),
      config: signalsConfigSchema.parse({}),
      agents: loadConfig(agentsConfigSchema, {
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        ANTHROPIC_MODEL: 'claude-sonnet-5',
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.url,
        GEMINI_MODEL: 'gemini-2.0-flash',
        AGENT_PRICES_JSON: JSON.stringify(PRICES),
        AGENT_TIMEOUT_MS: '3000',
        AGENT_LESSONS_COUNT: '50',
        AGENT_LESSONS_CHARS: '20000',
        // Open for longer than the last phase's bars span on the bar clock (about 12 days), so every
        // decision after the breaker opened meets it open.
        AGENT_BREAKER_OPEN_MS: String(30 * 86_400_000),
      }),
    });
  });

  afterAll(async () => {
    await service?.[Symbol.asyncDispose]();
    await serviceBus?.drain();
    await testBus?.drain();
    await deleteStreamsAt(await natsUrl(), serviceBus.naming);
    await claude?.close();
    await gemini?.close();
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('publishes both verdicts with their providers under the candidate’s correlation id, audited', async () => {
    await publishVectors(0, 200);
    const phase = await decisionsFor(0, 200, 5);
    const audit = new AgentCallRepository(handle.db);
    for (const decision of phase) {
      const candidate = candidates.find((c) => c.payload.id === decision.payload.candidate.id);
      expect(decision.correlationId).toBe(candidate?.correlationId);
      expect(decision.causationId).toBe(candidate?.id);
      expect(decision.payload.analyst?.meta).toMatchObject({
        provider: 'gemini',
        model: 'gemini-2.0-flash',
        fallbackUsed: false,
      });
      expect(decision.payload.analyst?.reasoning).toBe('model: structure intact');
      expect(decision.payload.reviewer?.meta).toMatchObject({
        provider: 'anthropic',
        model: 'claude-sonnet-5',
        fallbackUsed: false,
      });
      // Both calls are recorded at the bar's close on the bar clock: their order in the table is not the point.
      const rows = [...(await audit.byCorrelationId(decision.correlationId))].sort((a, b) =>
        a.agent.localeCompare(b.agent),
      );
      expect(rows.map((r) => [r.agent, r.provider, r.id, r.fallbackUsed])).toEqual([
        ['analyst', 'gemini', decision.payload.analyst?.meta.auditId, false],
        ['reviewer', 'anthropic', decision.payload.reviewer?.meta.auditId, false],
      ]);
    }
    // The analyst saw the stored real candles up to the candidate's bar.
    const first = phase[0]?.payload.candidate;
    const openTime = barOf(candidates.find((c) => c.payload.id === first?.id))?.openTime;
    const bar = candles.find((c) => c.openTime === openTime);
    if (!bar) throw new Error('no candle for the first candidate');
    expect(geminiPrompt(gemini.requests[0] as RecordedRequest)).toContain(
      JSON.stringify([bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume]),
    );
  });

  it('never lets the reviewer enlarge: a model reply of 1.7 becomes 1', () => {
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expect(d.payload.reviewer?.sizeMultiplier).toBe(1);
      expect(d.payload.sizeMultiplier).toBe(1);
      expect(d.payload.approved).toBe(true);
    }
  });

  it('writes a lesson when a position closes and shows it in the next analyst prompt', async () => {
    const last = decisions.at(-1);
    if (!last) throw new Error('no decision yet');
    const { candidate } = last.payload;
    const risk = candidate.entry - candidate.stop;
    const position = {
      positionId: `${candidate.exchange}:${candidate.symbol}`,
      strategy: candidate.strategy,
      exchange: candidate.exchange,
      symbol: candidate.symbol,
      side: candidate.side,
      avgEntry: candidate.entry,
      fees: 0,
    };
    const pos = subject(Subjects.positionEvent, {});
    await testBus.publish(pos, { ...position, status: 'opened', qty: 0.5, realizedPnl: 0 });
    // Closed half an R below entry.
    await testBus.publish(pos, { ...position, status: 'closed', qty: 0, realizedPnl: -0.5 * 0.5 * risk });
    const lessons = new AgentLessonRepository(handle.db);
    const lesson = await waitFor(async () => {
      const found = await lessons.recent({ symbol: candidate.symbol, setup: candidate.setup, limit: 50 });
      return found.find((l) => l.correlationId === last.correlationId);
    }, 'the lesson from the closed position');
    expect(lesson.lesson).toBe(
      `Closed ${candidate.side} BTC-USDT ${candidate.setup} at -0.5R after: approved at 1: model: strong`,
    );

    const asked = gemini.requests.length;
    await publishVectors(200, 300);
    await decisionsFor(200, 300, 4);
    const next = gemini.requests
      .slice(asked)
      .map(geminiPrompt)
      .find((p) => p.includes(`setup "${candidate.setup}"`));
    expect(next).toContain(`Lessons from earlier trades of this setup (newest first):`);
    expect(next).toContain(`- ${lesson.lesson}`);
  });

  it('falls back to the rules when Gemini fails: the breaker opens, decisions still flow, audited', async () => {
    gemini.respondWith(() => geminiError(500, 'INTERNAL'));
    const asked = gemini.requests.length;
    await publishVectors(300, vectors.length);
    const phase = await decisionsFor(300, vectors.length, 6);
    // Three attempts on the first decision opened the breaker; the rest were refused without a call.
    expect(gemini.requests.length - asked).toBe(3);
    const audit = new AgentCallRepository(handle.db);
    const reasons: Array<string | null> = [];
    for (const decision of phase) {
      expect(decision.payload.analyst?.meta).toMatchObject({ provider: 'gemini', fallbackUsed: true });
      expect(decision.payload.analyst?.reasoning).toMatch(/^rules: /);
      expect(decision.payload.reviewer?.meta).toMatchObject({ provider: 'anthropic', fallbackUsed: false });
      const row = (await audit.byCorrelationId(decision.correlationId)).find((r) => r.agent === 'analyst');
      expect(row).toMatchObject({
        agent: 'analyst',
        fallbackUsed: true,
        id: decision.payload.analyst?.meta.auditId,
      });
      reasons.push(row?.errorReason ?? null);
    }
    expect(reasons).toEqual([
      'server_error',
      'circuit_open',
      'circuit_open',
      'circuit_open',
      'circuit_open',
      'circuit_open',
    ]);
    // Operators are told once, whichever agent noticed: one critical alert for the vendor.
    await waitFor(() => alerts.some((a) => a.kind === 'llm_breaker_open'), 'breaker alert');
    expect(alerts.filter((a) => a.kind === 'llm_breaker_open')).toEqual([
      {
        severity: 'critical',
        kind: 'llm_breaker_open',
        message:
          // The reviewer is Claude's, still answering: only the analyst is affected.
          'LLM breaker open for gemini: the analyst decides by the rules until it recovers',
        labels: { provider: 'gemini' },
      },
    ]);
  });

  it('starts its daily budget from the spend audited earlier today (UTC)', () => {
    const configured = logLines.find((l) => l.includes('agents configured')) ?? '';
    expect(JSON.parse(configured)).toMatchObject({ dailyBudgetUsd: 5, spentTodayUsd: 1.25 });
  });

  it('keeps both API keys out of logs, audit and lesson rows, and published messages', async () => {
    expect(claude.requests[0]?.headers.authorization).toBe(`Bearer ${CLAUDE_KEY}`);
    expect(gemini.requests[0]?.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    const { rows } = await sql<{ row: string }>`
      SELECT agent_calls::text AS row FROM agent_calls
      UNION ALL SELECT agent_lessons::text FROM agent_lessons`.execute(handle.db);
    const places = {
      logs: logLines.join('\n'),
      rows: rows.map((r) => r.row).join('\n'),
      messages: JSON.stringify([...candidates, ...decisions]),
    };
    expect(logLines.some((l) => l.includes('agents configured'))).toBe(true);
    expect(rows.length).toBeGreaterThan(30);
    for (const [where, text] of Object.entries(places)) {
      expect({ where, claude: text.includes(CLAUDE_KEY), gemini: text.includes(GEMINI_KEY) }).toEqual({
        where,
        claude: false,
        gemini: false,
      });
    }
  });
});
