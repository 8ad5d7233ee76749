import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { VirtualClock } from '@ballast/core';
import { ConfigError, createLogger, loadConfig } from '@ballast/service-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../agent-error';
import { decideWithAgents } from '../pipeline/decide-with-agents';
import { DEFAULT_LESSONS, type LessonStore } from '../pipeline/lessons';
import { ANTHROPIC_DEPRECATED_MODELS } from '../providers/anthropic/deprecated-models';
import type { BudgetSpent } from '../resilience/cost-budget';
import { harness, MemoryAudit } from '../testing/harness';
import { fixtureFor, recordedBtcCandles } from '../testing/market-fixture';
import { type ScriptedServer, startScriptedServer } from '../testing/scripted-server';
import { anthropicToolUse, geminiError } from '../testing/wire-replies';
import { agentsConfigSchema, DEFAULT_PRICES } from './agents-config';
import { AgentsConfigError } from './agents-config-error';
import { buildAgentsFromConfig } from './build-agents';

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

/** The pinned SDK's own table of deprecated models (not exported, so read from its source). */
function sdkDeprecatedModels(): Record<string, string> {
  const sdk = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));
  const source = readFileSync(join(sdk, 'resources/messages/messages.js'), 'utf8');
  const table = /const DEPRECATED_MODELS = (\{[^}]*\});/.exec(source)?.[1] ?? '';
  return JSON.parse(table.replaceAll("'", '"').replace(/,\s*\}/, '}'));
}

function build(env: Record<string, string>) {
  const lines: string[] = [];
  const audit = new MemoryAudit();
  const clock = new VirtualClock(Date.UTC(2022, 9, 11, 12));
  const budgetSpent: BudgetSpent[] = [];
  const metrics = new Registry();
  let n = 0;
  const agents = buildAgentsFromConfig(loadConfig(agentsConfigSchema, env), {
    clock,
    ids: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    audit,
    metrics,
    log: createLogger({ service: 'agents-build-test', destination: { write: (l) => lines.push(l) } }),
    sleep: async () => {},
    random: () => 0.5,
    onBudgetSpent: (spent) => budgetSpent.push(spent),
  });
  return { agents, audit, lines, clock, budgetSpent, metrics };
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
    expect(loadConfig(agentsConfigSchema, env).AGENT_PRICES_JSON).toEqual({ ...DEFAULT_PRICES, ...prices });
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

  it("defaults to a priced Anthropic model the pinned SDK does not list as deprecated, and knows the SDK's list", () => {
    const config = loadConfig(agentsConfigSchema, {});
    expect(ANTHROPIC_DEPRECATED_MODELS).toEqual(sdkDeprecatedModels());
    expect(Object.keys(sdkDeprecatedModels())).not.toContain(config.ANTHROPIC_MODEL);
    expect(config.AGENT_PRICES_JSON).toHaveProperty([config.ANTHROPIC_MODEL]);
  });

  it('warns at start, once, when the configured Anthropic model is deprecated, with its end-of-life date', () => {
    const { lines } = build({
      ANTHROPIC_API_KEY: CLAUDE_KEY,
      ANTHROPIC_MODEL: 'claude-sonnet-4-5',
      ANALYST_PROVIDER: 'anthropic',
    });
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warned.map((l) => [l.model, l.endOfLife])).toEqual([['claude-sonnet-4-5', 'November 30th, 2026']]);
    expect(
      build({ ANTHROPIC_API_KEY: CLAUDE_KEY, ANALYST_PROVIDER: 'rules' }).lines.filter((l) =>
        l.includes('"level":40'),
      ),
    ).toEqual([]);
  });

  it('rejects when the reviewer fails unless REVIEWER_FALLBACK=rules is opted into', () => {
    expect(build({}).agents.reviewerFallback).toBe('reject');
    expect(build({ REVIEWER_FALLBACK: 'rules' }).agents.reviewerFallback).toBe('rules');
  });

  it('with the default fallback, rejects a candidate whose reviewer model fails (fails closed)', async () => {
    const config = agentsConfigSchema.parse({});
    const { agents } = build({ ANALYST_PROVIDER: 'rules', REVIEWER_PROVIDER: 'rules' });
    const failing = harness({
      clock: new VirtualClock(Date.UTC(2022, 9, 11, 12)),
      audit: new MemoryAudit(),
      provider: {
        id: 'anthropic',
        model: 'claude-sonnet-4-6',
        generate: async () => {
          throw new AgentError('server_error', 'anthropic answered 529');
        },
      },
    }).runner;
    const decision = await decideWithAgents(
      candidate,
      { correlationId: 'corr-build-closed', features, recentCandles: candles },
      {
        analyst: agents.analyst,
        reviewer: failing,
        lessons: NO_LESSONS,
        lessonConfig: DEFAULT_LESSONS,
        reviewerFallback: config.REVIEWER_FALLBACK,
      },
    );
    expect([decision.approved, decision.sizeMultiplier, decision.rejection]).toEqual([
      false,
      0,
      { reason: 'reviewer_failed', detail: 'server_error' },
    ]);
  });

  it('refuses to start when a provider chosen explicitly lacks its key or URL, naming the variable, never a value', () => {
    const refused = (env: Record<string, string>) => {
      try {
        build(env);
      } catch (err) {
        if (err instanceof AgentsConfigError) return err;
        throw err;
      }
      throw new Error('expected an AgentsConfigError');
    };
    const err = refused({
      REVIEWER_PROVIDER: 'anthropic',
      REVIEWER_FALLBACK: 'reject',
      ANTHROPIC_API_KEY: '',
      ANALYST_PROVIDER: 'openai-compatible',
      OPENAI_COMPAT_API_KEY: 'sk-hosted-0123456789',
      GEMINI_API_KEY: GEMINI_KEY,
      REFLECTOR_PROVIDER: 'gemini',
    });
    expect(err.problems.map((p) => p.expected.split(' needs ')[0])).toEqual([
      'ANALYST_PROVIDER=openai-compatible',
      'REVIEWER_PROVIDER=anthropic',
    ]);
    expect(err.message).toContain('needs OPENAI_COMPAT_URL');
    expect(err.message).toContain('needs ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE), which is not set');
    expect(err.message).not.toContain('sk-hosted');
    expect(err.message).not.toContain(GEMINI_KEY);
  });

  it('runs an agent left to its default vendor on the rules when that key is unset (an empty key counts as unset), and warns at start', () => {
    const { agents, lines } = build({ GEMINI_API_KEY: '  ' });
    expect(agents.choices.analyst.provider).toBe('rules');
    expect(agents.choices.reviewer.provider).toBe('rules');
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warned.map((l) => l.msg)).toEqual([
      'ANALYST_PROVIDER is unset and GEMINI_API_KEY is not configured: the analyst decides by the rules (set ANALYST_PROVIDER=rules to say so, or configure GEMINI_API_KEY)',
      'REVIEWER_PROVIDER is unset and ANTHROPIC_API_KEY is not configured: the reviewer decides by the rules (set REVIEWER_PROVIDER=rules to say so, or configure ANTHROPIC_API_KEY)',
    ]);
    // Said so explicitly: no warning.
    const quiet = build({ ANALYST_PROVIDER: 'rules', REVIEWER_PROVIDER: 'rules' });
    expect(quiet.lines.filter((l) => l.includes('"level":40'))).toEqual([]);
  });

  it('refuses at start a paid model without a price, naming it and AGENT_PRICES_JSON', () => {
    const refused = (env: Record<string, string>) => {
      try {
        build(env);
      } catch (err) {
        if (err instanceof AgentsConfigError) return err.problems.map((p) => p.expected);
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

  it('starts on a price table written before the default model changed: the defaults price what it does not list', () => {
    // The .env.example line of the claude-sonnet-4-5 days, with ANTHROPIC_MODEL left to its default.
    const old = {
      'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
      'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
    };
    const { agents } = build({
      ANTHROPIC_API_KEY: CLAUDE_KEY,
      GEMINI_API_KEY: GEMINI_KEY,
      AGENT_PRICES_JSON: JSON.stringify(old),
    });
    expect(agents.choices.reviewer).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    // A listed model keeps the operator's price over the default.
    const dearer = { 'gemini-2.5-flash': { inputPerMillion: 1, outputPerMillion: 4 } };
    const config = loadConfig(agentsConfigSchema, { AGENT_PRICES_JSON: JSON.stringify(dearer) });
    expect(config.AGENT_PRICES_JSON['gemini-2.5-flash']).toEqual(dearer['gemini-2.5-flash']);
  });

  it('refuses a hosted OpenAI-compatible model (called with an API key) without a price; a local one costs nothing', () => {
    const started = (env: Record<string, string>) => {
      try {
        build(env);
        return 'started';
      } catch (err) {
        if (err instanceof AgentsConfigError) return err.problems.map((p) => p.expected).join('\n');
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

    it("exposes today's spend and the daily limit as gauges, the spend back at 0 once the UTC day turns without a call", async () => {
      const { agents, clock, metrics } = build({
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        ANTHROPIC_BASE_URL: claude.url,
        AGENT_DAILY_BUDGET_USD: '2.5',
      });
      const gauges = async () =>
        (await metrics.metrics()).split('\n').filter((l) => l.startsWith('ballast_agent_budget_'));
      expect(await gauges()).toEqual([
        'ballast_agent_budget_spent_usd 0',
        'ballast_agent_budget_limit_usd 2.5',
      ]);
      // Born at 0, or the first estimated cost would not show in increase().
      expect((await metrics.metrics()).split('\n')).toContain(
        'ballast_agent_estimated_cost_usd_total{provider="anthropic",agent="reviewer"} 0',
      );
      claude.enqueue(
        anthropicToolUse(
          'review_verdict',
          { approve: true, sizeMultiplier: 0.5, reasons: ['ok'] },
          { input_tokens: 100_000, output_tokens: 20_000 },
        ),
      );
      await decideWithAgents(
        candidate,
        { correlationId: 'corr-build-gauges', features, recentCandles: candles },
        {
          analyst: agents.analyst,
          reviewer: agents.reviewer,
          lessons: NO_LESSONS,
          lessonConfig: DEFAULT_LESSONS,
        },
      );
      // 100,000 × $3/M + 20,000 × $15/M = $0.6.
      expect(await gauges()).toEqual([
        'ballast_agent_budget_spent_usd 0.6',
        'ballast_agent_budget_limit_usd 2.5',
      ]);
      clock.set(Date.UTC(2022, 9, 12));
      expect(await gauges()).toEqual([
        'ballast_agent_budget_spent_usd 0',
        'ballast_agent_budget_limit_usd 2.5',
      ]);
    });
  });
});
