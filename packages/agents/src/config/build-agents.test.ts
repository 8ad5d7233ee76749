import { VirtualClock } from '@ballast/core';
import { ConfigError, createLogger, loadConfig } from '@ballast/service-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideWithAgents } from '../pipeline/decide-with-agents';
import { DEFAULT_LESSONS, type LessonStore } from '../pipeline/lessons';
import type { BudgetSpent } from '../resilience/cost-budget';
import { MemoryAudit } from '../testing/harness';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { type ScriptedServer, startScriptedServer } from '../testing/scripted-server';
import { anthropicToolUse, geminiError } from '../testing/wire-replies';
import { agentsConfigSchema, DEFAULT_PRICES } from './agents-config';
import { buildAgentsFromConfig } from './build-agents';
import { UnpricedModelError } from './unpriced-models';

const CLAUDE_KEY = 'sk-ant-test-build-0f1e2d3c4b5a6978';
const GEMINI_KEY = 'AIza-test-build-5566778899aabbcc';
const NO_LESSONS: LessonStore = { add: async () => {}, recent: async () => [] };
// Real 4h BTCUSDT candles from binance-spot-ohlcv/BTCUSDT-4h.csv.
const candles = recordedBtcCandles();
const { candidate, features } = fixtureFor(candles);

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function build(env: Record<string, string>) {
  const lines: string[] = [];
  const audit = new MemoryAudit();
  const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
  const budgetSpent: BudgetSpent[] = [];
  let n = 0;
  const agents = buildAgentsFromConfig(loadConfig(agentsConfigSchema, env), {
    clock,
    ids: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    audit,
    metrics: new Registry(),
    log: createLogger({ service: 'agents-build-test', destination: { write: (l) => lines.push(l) } }),
    sleep: async () => {},
    random: () => 0.5,
    onBudgetSpent: (spent) => budgetSpent.push(spent),
  });
  return { agents, audit, lines, clock, budgetSpent };
}

describe('agents configuration', () => {
  it('lists every bad variable in one error, without echoing values', () => {
    const err = configError(() =>
      loadConfig(agentsConfigSchema, {
        ANALYST_PROVIDER: 'openai',
        AGENT_TIMEOUT_MS: '-5',
        REVIEWER_FALLBACK: 'deny',
        AGENT_PRICES_JSON: '{"m": {"inputPerMillion": "cheap"}}',
        AGENT_REFLECTION: 'maybe',
        ANTHROPIC_BASE_URL: 'not a url',
        ANTHROPIC_API_KEY: CLAUDE_KEY,
      }),
    );
    expect(err.problems.map((p) => [p.variable, p.reason])).toEqual([
      ['ANALYST_PROVIDER', 'invalid'],
      ['ANTHROPIC_BASE_URL', 'invalid'],
      ['AGENT_TIMEOUT_MS', 'invalid'],
      ['REVIEWER_FALLBACK', 'invalid'],
      ['AGENT_PRICES_JSON.m.inputPerMillion', 'invalid'],
      ['AGENT_PRICES_JSON.m.outputPerMillion', 'invalid'],
      ['AGENT_REFLECTION', 'invalid'],
    ]);
    expect(err.message).not.toContain(CLAUDE_KEY);
  });

  it('reads AGENT_PRICES_JSON as JSON, says which variable is not JSON, and prices from the defaults when unset', () => {
    expect(loadConfig(agentsConfigSchema, {}).AGENT_PRICES_JSON).toEqual(DEFAULT_PRICES);
    const prices = { 'llama3.1': { inputPerMillion: 0, outputPerMillion: 0 } };
    const env = { AGENT_PRICES_JSON: JSON.stringify(prices) };
    expect(loadConfig(agentsConfigSchema, env).AGENT_PRICES_JSON).toEqual(prices);
    const err = configError(() => loadConfig(agentsConfigSchema, { AGENT_PRICES_JSON: '{m: 1' }));
    expect(err.problems).toEqual([
      { variable: 'AGENT_PRICES_JSON', reason: 'invalid', expected: 'not valid JSON' },
    ]);
  });

  it('runs every agent on the rules when no key is configured, and says so once at start', async () => {
    const { agents, audit, lines } = build({});
    expect(agents.choices).toEqual({
      analyst: { provider: 'rules', model: 'rules' },
      reviewer: { provider: 'rules', model: 'rules' },
      reflector: { provider: 'rules', model: 'rules' },
    });
    expect(agents.lessonConfig).toEqual(DEFAULT_LESSONS);
    expect(lines.filter((l) => l.includes('agents configured'))).toHaveLength(1);
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-build-1', features, recentCandles: candles },
      {
        analyst: agents.analyst,
        reviewer: agents.reviewer,
        lessons: NO_LESSONS,
        lessonConfig: DEFAULT_LESSONS,
      },
    );
    expect(decision.analyst?.meta.provider).toBe('rules');
    expect(decision.reviewer?.meta.provider).toBe('rules');
    expect(audit.rows.map((r) => [r.agent, r.provider, r.fallbackUsed])).toEqual([
      ['analyst', 'rules', false],
      ['reviewer', 'rules', false],
    ]);
  });

  it('reviews by the rules when the reviewer fails unless REVIEWER_FALLBACK=reject', () => {
    expect(build({}).agents.reviewerFallback).toBe('rules');
    expect(build({ REVIEWER_FALLBACK: 'reject' }).agents.reviewerFallback).toBe('reject');
  });

  it('treats an empty key as unset and a missing OpenAI-compatible URL as rules', () => {
    const { agents } = build({ GEMINI_API_KEY: '  ', REVIEWER_PROVIDER: 'openai-compatible' });
    expect(agents.choices.analyst.provider).toBe('rules');
    expect(agents.choices.reviewer.provider).toBe('rules');
  });

  it('refuses at start a paid model without a price, naming it and AGENT_PRICES_JSON', () => {
    const refused = (env: Record<string, string>) => {
      try {
        build(env);
      } catch (err) {
        if (err instanceof UnpricedModelError) return err.problems;
        throw err;
      }
      return [];
    };
    const both = refused({
      ANTHROPIC_API_KEY: CLAUDE_KEY,
      ANTHROPIC_MODEL: 'claude-opus-4-1',
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_MODEL: 'gemini-2.5-pro',
    });
    expect(both.map((p) => p.split(' has no price')[0])).toEqual([
      'GEMINI_MODEL gemini-2.5-pro',
      'ANTHROPIC_MODEL claude-opus-4-1',
    ]);
    expect(both[1]).toContain(
      'AGENT_PRICES_JSON, e.g. {"claude-opus-4-1":{"inputPerMillion":3,"outputPerMillion":15}}',
    );
    // Priced through AGENT_PRICES_JSON, or not called (no key, or the provider not chosen): started.
    const prices = { 'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 } };
    expect(
      refused({
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_MODEL: 'claude-opus-4-1',
        ANALYST_PROVIDER: 'anthropic',
        AGENT_PRICES_JSON: JSON.stringify(prices),
      }),
    ).toEqual([]);
    expect(refused({ ANTHROPIC_MODEL: 'claude-opus-4-1', GEMINI_MODEL: 'gemini-2.5-pro' })).toEqual([]);
    expect(
      refused({ GEMINI_API_KEY: GEMINI_KEY, GEMINI_MODEL: 'gemini-2.5-pro', ANALYST_PROVIDER: 'rules' }),
    ).toEqual([]);
    // A dated snapshot takes its model's price; another suffix does not.
    expect(refused({ ANTHROPIC_API_KEY: CLAUDE_KEY, ANTHROPIC_MODEL: 'claude-sonnet-4-5-20250929' })).toEqual(
      [],
    );
    expect(
      refused({ ANTHROPIC_API_KEY: CLAUDE_KEY, ANTHROPIC_MODEL: 'claude-sonnet-4-5-latest' }),
    ).toHaveLength(1);
  });

  it('refuses a hosted OpenAI-compatible model (called with an API key) without a price; a local one costs nothing', () => {
    const started = (env: Record<string, string>) => {
      try {
        build(env);
        return 'started';
      } catch (err) {
        if (err instanceof UnpricedModelError) return err.problems.join('\n');
        throw err;
      }
    };
    const hosted = {
      ANALYST_PROVIDER: 'openai-compatible',
      OPENAI_COMPAT_URL: 'https://openrouter.example/api/v1',
      OPENAI_COMPAT_MODEL: 'gpt-4.1',
      OPENAI_COMPAT_API_KEY: 'sk-hosted-0123456789',
    };
    const problems = started(hosted);
    expect(problems).toContain('OPENAI_COMPAT_MODEL gpt-4.1 has no price');
    expect(problems).toContain('a free model is priced 0');
    expect(problems).not.toContain('sk-hosted');
    const free = { 'gpt-4.1': { inputPerMillion: 0, outputPerMillion: 0 } };
    expect(started({ ...hosted, AGENT_PRICES_JSON: JSON.stringify(free) })).toBe('started');
    const { OPENAI_COMPAT_API_KEY: _key, ...local } = hosted;
    expect(started({ ...local, OPENAI_COMPAT_URL: 'http://127.0.0.1:11434/v1' })).toBe('started');
  });

  describe('with keys, against local vendor servers', () => {
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

    it('shares one breaker per vendor, logs providers and models but never a key', async () => {
      const { agents, audit, lines } = build({
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        ANTHROPIC_MODEL: 'claude-sonnet-4-5-20250929',
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.url,
        REFLECTOR_PROVIDER: 'gemini',
        AGENT_BREAKER_FAILURES: '2',
        AGENT_MAX_ATTEMPTS: '2',
        AGENT_REFLECTION: 'off',
      });
      expect(agents.choices).toEqual({
        analyst: { provider: 'gemini', model: 'gemini-2.5-flash' },
        reviewer: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
        reflector: { provider: 'gemini', model: 'gemini-2.5-flash' },
      });
      expect(agents.lessonConfig.enabled).toBe(false);
      gemini.enqueue(geminiError(500, 'INTERNAL'), geminiError(500, 'INTERNAL'));
      claude.enqueue(
        anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 0.5, reasons: ['ok'] }),
      );
      const decision = await decideWithAgents(
        candidate,
        { correlationId: 'corr-build-2', features, recentCandles: candles },
        {
          analyst: agents.analyst,
          reviewer: agents.reviewer,
          lessons: NO_LESSONS,
          lessonConfig: DEFAULT_LESSONS,
        },
      );
      expect(decision.analyst?.meta).toMatchObject({ provider: 'gemini', fallbackUsed: true });
      expect(decision.reviewer?.meta).toMatchObject({ provider: 'anthropic', fallbackUsed: false });
      // The dated snapshot is priced as claude-sonnet-4-5: 1,000 × $3/M + 200 × $15/M.
      expect(audit.rows.find((r) => r.agent === 'reviewer')?.costUsd).toBeCloseTo(0.006, 10);
      // The analyst's two failures opened the Gemini breaker, which the reflector shares.
      const sent = gemini.requests.length;
      const reflected = await agents.reflector.run({
        agent: 'reflector',
        correlationId: 'corr-build-3',
        system: 's',
        prompt: 'p',
        schemaName: 'lessons',
        schema: { type: 'object' },
        maxOutputTokens: 64,
        parse: () => ['model lesson'],
        fallback: () => ['rules lesson'],
      });
      expect(reflected).toMatchObject({ verdict: ['rules lesson'], errorReason: 'circuit_open' });
      expect(gemini.requests.length).toBe(sent);
      expect(gemini.requests[0]?.headers['x-goog-api-key']).toBe(GEMINI_KEY);
      const log = lines.join('\n');
      expect(log).toContain('"analyst":{"provider":"gemini","model":"gemini-2.5-flash"}');
      expect(log).not.toContain(CLAUDE_KEY);
      expect(log).not.toContain(GEMINI_KEY);
    });

    it('tells once per UTC day that the daily budget is spent, at the first call it refuses', async () => {
      const { agents, audit, clock, budgetSpent } = build({
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        AGENT_DAILY_BUDGET_USD: '0.001',
      });
      const decide = () =>
        decideWithAgents(
          candidate,
          { correlationId: 'corr-build-budget', features, recentCandles: candles },
          {
            analyst: agents.analyst,
            reviewer: agents.reviewer,
            lessons: NO_LESSONS,
            lessonConfig: DEFAULT_LESSONS,
          },
        );
      const approve = anthropicToolUse('review_verdict', {
        approve: true,
        sizeMultiplier: 0.5,
        reasons: ['ok'],
      });
      // 1,000 × $3/M + 200 × $15/M = $0.006: the call that crosses the limit is allowed.
      claude.enqueue(approve);
      await decide();
      expect(budgetSpent).toEqual([]);
      await decide();
      await decide();
      const day = Date.UTC(2022, 9, 11);
      expect(budgetSpent).toEqual([
        { dayStartMs: day, spentUsd: expect.closeTo(0.006, 10), limitUsd: 0.001 },
      ]);
      clock.set(Date.UTC(2022, 9, 12, 0, 0, 1));
      claude.enqueue(approve);
      await decide();
      await decide();
      expect(budgetSpent.map((b) => b.dayStartMs)).toEqual([day, Date.UTC(2022, 9, 12)]);
      expect(audit.rows.filter((r) => r.agent === 'reviewer').map((r) => r.errorReason)).toEqual([
        null,
        'budget_exceeded',
        'budget_exceeded',
        null,
        'budget_exceeded',
      ]);
    });
  });
});
