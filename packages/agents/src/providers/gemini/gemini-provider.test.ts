import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../agent-error';
import { ANALYST_JSON_SCHEMA } from '../../pipeline/verdict-schemas';
import type { StructuredRequest } from '../../provider';
import { type ScriptedServer, startScriptedServer } from '../../testing/scripted-server';
import { geminiAuthError, geminiError, geminiJson } from '../../testing/wire-replies';
import { GeminiProvider } from './gemini-provider';
import { toGeminiSchema } from './to-gemini-schema';

const KEY = 'AIza-test-gemini-key-0123456789';

function request(signal = AbortSignal.timeout(2_000)): StructuredRequest {
  return {
    system: 'system text',
    prompt: 'prompt text',
    schemaName: 'analyst_verdict',
    schema: ANALYST_JSON_SCHEMA,
    maxOutputTokens: 256,
    signal,
  };
}

async function failure(p: Promise<unknown>): Promise<AgentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(err)}`);
  return err;
}

const VERDICT = {
  setup: 'pullback',
  trend: 'up',
  strength: 31,
  entryLow: 19000,
  entryHigh: 19100,
  stop: 18700,
  takeProfit: 19800,
  confidence: 64,
  reasoning: 'higher lows above support',
};

describe('GeminiProvider (real @google/generative-ai against a local generateContent)', () => {
  let server: ScriptedServer;
  let provider: GeminiProvider;

  beforeAll(async () => {
    server = await startScriptedServer();
    provider = new GeminiProvider({ apiKey: KEY, model: 'gemini-2.0-flash', baseUrl: server.url });
  });
  afterAll(() => server.close());

  it('asks for JSON with a response schema and reads the first text part and usage', async () => {
    server.enqueue(geminiJson(JSON.stringify(VERDICT), { promptTokenCount: 900, candidatesTokenCount: 120 }));
    const reply = await provider.generate(request());
    expect(reply.value).toEqual(VERDICT);
    expect(reply.usage).toEqual({ inputTokens: 900, outputTokens: 120 });

    const sent = server.requests.at(-1);
    expect(sent?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe(KEY);
    const body = JSON.parse(sent?.body ?? '{}');
    expect(body.generationConfig.responseMimeType).toBe('application/json');
    expect(body.generationConfig.responseSchema.properties.trend).toEqual({
      type: 'string',
      format: 'enum',
      enum: ['up', 'down', 'sideways'],
    });
    expect(body.systemInstruction.parts[0].text).toBe('system text');
  });

  it("bounds a Gemini 2.5 model's thinking (off for Flash, the least for Pro) and gives the verdict its room on top", async () => {
    const sent = async (model: string) => {
      const thinking = new GeminiProvider({ apiKey: KEY, model, baseUrl: server.url });
      server.enqueue(geminiJson(JSON.stringify(VERDICT)));
      await thinking.generate(request());
      const { thinkingConfig, maxOutputTokens } = JSON.parse(
        server.requests.at(-1)?.body ?? '{}',
      ).generationConfig;
      return { thinkingConfig, maxOutputTokens };
    };
    expect(await sent('gemini-2.5-flash')).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
      maxOutputTokens: 256,
    });
    expect(await sent('gemini-2.5-pro')).toEqual({
      thinkingConfig: { thinkingBudget: 128 },
      maxOutputTokens: 384,
    });
    expect(await sent('gemini-2.0-flash')).toEqual({ maxOutputTokens: 256 });
  });

  it("counts a thinking model's thoughtsTokenCount as output tokens, as Google bills them", async () => {
    server.enqueue(
      geminiJson(JSON.stringify(VERDICT), {
        promptTokenCount: 900,
        candidatesTokenCount: 120,
        thoughtsTokenCount: 640,
      }),
    );
    expect((await provider.generate(request())).usage).toEqual({ inputTokens: 900, outputTokens: 760 });
  });

  it('says when a reply reported no usage (no usageMetadata), rather than that it used no tokens', async () => {
    const reply = geminiJson(JSON.stringify(VERDICT)) as { status: number; body: string };
    const body = JSON.parse(reply.body);
    delete body.usageMetadata;
    server.enqueue({ status: 200, body: JSON.stringify(body) });
    expect((await provider.generate(request())).usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      unreported: true,
    });
  });

  it('reports 429 as rate_limited, 503 as server_error, 400 as rejected', async () => {
    server.enqueue(
      geminiError(429, 'RESOURCE_EXHAUSTED'),
      geminiError(503, 'UNAVAILABLE'),
      geminiError(400, 'INVALID_ARGUMENT'),
    );
    expect((await failure(provider.generate(request()))).reason).toBe('rate_limited');
    expect((await failure(provider.generate(request()))).reason).toBe('server_error');
    expect((await failure(provider.generate(request()))).reason).toBe('rejected');
  });

  it('reports a refused key (400 API_KEY_INVALID, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED) as auth_failed', async () => {
    server.enqueue(geminiAuthError('key_invalid'), geminiAuthError(401), geminiAuthError(403));
    const refused = [];
    for (let i = 0; i < 3; i++) {
      const err = await failure(provider.generate(request()));
      refused.push([err.reason, err.message]);
    }
    expect(refused).toEqual([
      ['auth_failed', 'gemini answered 400 API_KEY_INVALID'],
      ['auth_failed', 'gemini answered 401'],
      ['auth_failed', 'gemini answered 403'],
    ]);
  });

  it("reads a quota 429's RetryInfo retryDelay as the wait to honour", async () => {
    // The details of a Gemini API free-tier quota 429 (QuotaFailure, Help, RetryInfo), values shortened.
    const quota = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          { quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' },
    ];
    server.enqueue(
      geminiError(429, 'RESOURCE_EXHAUSTED', quota),
      geminiError(429, 'RESOURCE_EXHAUSTED', [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' },
      ]),
      geminiError(429, 'RESOURCE_EXHAUSTED'),
    );
    const waits = [];
    for (let i = 0; i < 3; i++) {
      const err = await failure(provider.generate(request()));
      waits.push([err.reason, err.retryAfterMs]);
    }
    expect(waits).toEqual([
      ['rate_limited', 38_000],
      ['rate_limited', 1_500],
      ['rate_limited', undefined],
    ]);
  });

  it('reports text that is not JSON as malformed, keeping the text', async () => {
    server.enqueue(geminiJson('{"setup": "pullback", "trend": '));
    const err = await failure(provider.generate(request()));
    expect(err.reason).toBe('malformed_response');
    expect(err.rawResponse).toBe('{"setup": "pullback", "trend": ');
  });

  it('reports a blocked prompt as refused, and a verdict that ended for a reason but STOP as no verdict', async () => {
    server.enqueue({
      status: 200,
      body: JSON.stringify({
        promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] },
        usageMetadata: { promptTokenCount: 900, totalTokenCount: 900 },
      }),
    });
    const blocked = await failure(provider.generate(request()));
    expect([blocked.reason, blocked.message]).toEqual([
      'refused',
      'gemini reply stopped with prompt blocked (SAFETY)',
    ]);
    expect(blocked.usage).toEqual({ inputTokens: 900, outputTokens: 0 });

    for (const finishReason of ['OTHER', 'LANGUAGE', 'MALFORMED_FUNCTION_CALL']) {
      const reply = geminiJson(JSON.stringify(VERDICT)) as { status: number; body: string };
      const body = JSON.parse(reply.body);
      body.candidates[0].finishReason = finishReason;
      server.enqueue({ status: 200, body: JSON.stringify(body) });
      const err = await failure(provider.generate(request()));
      expect([err.reason, err.message]).toEqual(['refused', `gemini reply stopped with ${finishReason}`]);
    }
  });

  it('reports a candidate without a finishReason as truncated, billed: its verdict may be cut short however well it parses', async () => {
    const reply = geminiJson(JSON.stringify(VERDICT), {
      promptTokenCount: 900,
      candidatesTokenCount: 40,
    }) as {
      status: number;
      body: string;
    };
    const body = JSON.parse(reply.body);
    delete body.candidates[0].finishReason;
    server.enqueue({ status: 200, body: JSON.stringify(body) });
    const err = await failure(provider.generate(request()));
    expect([err.reason, err.message]).toEqual(['truncated', 'gemini reply stopped with no finishReason']);
    expect(err.usage).toEqual({ inputTokens: 900, outputTokens: 40 });
  });

  it('reports a body that is not JSON at all as malformed', async () => {
    server.enqueue({ status: 200, body: '<html>proxy error</html>' });
    expect((await failure(provider.generate(request()))).reason).toBe('malformed_response');
  });

  it('reports a 200 whose connection drops mid-body as a network failure the vendor may have billed', async () => {
    server.enqueue({ status: 200, cutAfter: '{"candidates": [{"content": ' });
    const err = await failure(provider.generate(request()));
    expect([err.reason, err.message, err.mayBeBilled]).toEqual([
      'network',
      'gemini reply was cut off after its headers',
      true,
    ]);
  });

  it('says a thinking model may bill its thinking budget on top of the output tokens asked for', () => {
    const ceiling = (model: string) =>
      new GeminiProvider({ apiKey: KEY, model, baseUrl: server.url }).maxBilledOutputTokens(256);
    expect([ceiling('gemini-2.5-pro'), ceiling('gemini-2.5-flash'), ceiling('gemini-2.0-flash')]).toEqual([
      384, 256, 256,
    ]);
  });

  it('times out a hung call', async () => {
    server.enqueue({ hang: true });
    expect((await failure(provider.generate(request(AbortSignal.timeout(150))))).reason).toBe('timeout');
  });

  it('times out a reply whose body stops arriving after its headers, rather than calling it a network failure', async () => {
    server.enqueue({ status: 200, stallAfter: '{"candidates": [{"content": ' });
    const err = await failure(provider.generate(request(AbortSignal.timeout(150))));
    expect([err.reason, err.message]).toEqual(['timeout', 'gemini call timed out']);
  });
});

describe('toGeminiSchema', () => {
  it('drops JSON-schema keywords Gemini refuses and moves bounds into descriptions', () => {
    const schema = toGeminiSchema(ANALYST_JSON_SCHEMA);
    expect(JSON.stringify(schema)).not.toMatch(/additionalProperties|exclusiveMinimum|\$schema|maxLength/);
    expect(schema).toMatchObject({
      type: 'object',
      properties: { strength: { type: 'number', description: 'at least 0; at most 100' } },
    });
  });
});
