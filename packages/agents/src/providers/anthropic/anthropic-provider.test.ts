import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../agent-error';
import { REVIEW_JSON_SCHEMA } from '../../pipeline/verdict-schemas';
import type { StructuredRequest } from '../../provider';
import { type ScriptedServer, startScriptedServer } from '../../testing/scripted-server';
import {
  anthropicAuthError,
  anthropicError,
  anthropicText,
  anthropicToolUse,
  anthropicToolUses,
} from '../../testing/wire-replies';
import { AnthropicProvider } from './anthropic-provider';

const KEY = 'sk-ant-test-0123456789abcdef';

function request(signal = AbortSignal.timeout(2_000)): StructuredRequest {
  return {
    system: 'system text',
    prompt: 'prompt text',
    schemaName: 'review_verdict',
    schema: REVIEW_JSON_SCHEMA,
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

describe('AnthropicProvider (real @anthropic-ai/sdk against a local Messages API)', () => {
  let server: ScriptedServer;
  let provider: AnthropicProvider;

  beforeAll(async () => {
    server = await startScriptedServer();
    provider = new AnthropicProvider({ apiKey: KEY, model: 'claude-sonnet-5', baseURL: server.url });
  });
  afterAll(() => server.close());

  it('forces the verdict tool and reads its input and usage', async () => {
    const verdict = { approve: true, sizeMultiplier: 0.5, reasons: ['ok'] };
    server.enqueue(anthropicToolUse('review_verdict', verdict, { input_tokens: 1234, output_tokens: 56 }));
    const reply = await provider.generate(request());
    expect(reply.value).toEqual(verdict);
    expect(JSON.parse(reply.raw)).toEqual(verdict);
    expect(reply.usage).toEqual({ inputTokens: 1234, outputTokens: 56 });

    const sent = server.requests.at(-1);
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = JSON.parse(sent?.body ?? '{}');
    // Exactly one call: left to its default, the API may call the forced tool several times in one reply.
    expect(body.tool_choice).toEqual({
      type: 'tool',
      name: 'review_verdict',
      disable_parallel_tool_use: true,
    });
    expect(body.tools[0].name).toBe('review_verdict');
    expect(body.tools[0].input_schema.properties.sizeMultiplier).toEqual({
      type: 'number',
      minimum: 0,
      maximum: 1,
    });
    expect(body.system).toBe('system text');
    expect(body.messages).toEqual([{ role: 'user', content: 'prompt text' }]);
  });

  it('reports a 429 as rate_limited with the Retry-After wait', async () => {
    server.enqueue(anthropicError(429, 'rate_limit_error', { 'retry-after': '7' }));
    const err = await failure(provider.generate(request()));
    expect({ reason: err.reason, retryAfterMs: err.retryAfterMs }).toEqual({
      reason: 'rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('reports 500 and 529 as server_error and a 400 as rejected', async () => {
    server.enqueue(
      anthropicError(500, 'api_error'),
      anthropicError(529, 'overloaded_error'),
      anthropicError(400, 'invalid_request_error'),
    );
    expect((await failure(provider.generate(request()))).reason).toBe('server_error');
    expect((await failure(provider.generate(request()))).reason).toBe('server_error');
    expect((await failure(provider.generate(request()))).reason).toBe('rejected');
  });

  it('reports a refused key (401 authentication_error, 403 permission_error) as auth_failed, in our words', async () => {
    server.enqueue(anthropicAuthError(401), anthropicAuthError(403));
    const refused = [];
    for (let i = 0; i < 2; i++) {
      const err = await failure(provider.generate(request()));
      refused.push([err.reason, err.message, err.retryAfterMs]);
    }
    expect(refused).toEqual([
      ['auth_failed', 'anthropic answered 401', undefined],
      ['auth_failed', 'anthropic answered 403', undefined],
    ]);
  });

  it('treats a text-only reply as malformed and keeps the text for the audit', async () => {
    server.enqueue(anthropicText('I think you should buy.'));
    const err = await failure(provider.generate(request()));
    expect(err.reason).toBe('malformed_response');
    expect(err.rawResponse).toContain('I think you should buy.');
  });

  it('treats a reply calling the verdict tool twice as malformed, however the calls read, keeping both and the usage', async () => {
    const approve = { approve: true, sizeMultiplier: 1, reasons: ['trend intact'] };
    const reject = { approve: false, sizeMultiplier: 0, reasons: ['funding extreme'] };
    server.enqueue(anthropicToolUses('review_verdict', [approve, reject]));
    const err = await failure(provider.generate(request()));
    expect([err.reason, err.message, err.usage]).toEqual([
      'malformed_response',
      'anthropic reply called review_verdict 2 times, not once',
      { inputTokens: 1_000, outputTokens: 200 },
    ]);
    expect(err.rawResponse).toContain('funding extreme');
  });

  it('reports a 200 that is not a message (an HTML page, not JSON, JSON of another shape) as malformed, as the other providers do', async () => {
    server.enqueue(
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>proxy error</html>' },
      { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>proxy error</html>' },
      { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' },
    );
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const err = await failure(provider.generate(request()));
      seen.push([err.reason, err.message, err.rawResponse]);
    }
    // Not the model's words, so not kept for the audit: a server echoing its request would echo the key.
    expect(seen).toEqual([
      ['malformed_response', 'anthropic reply is not a message', undefined],
      ['malformed_response', 'anthropic reply is not JSON', undefined],
      ['malformed_response', 'anthropic reply is not a message', undefined],
    ]);
  });

  it('times out a hung call through the abort signal', async () => {
    server.enqueue({ hang: true });
    const err = await failure(provider.generate(request(AbortSignal.timeout(150))));
    expect(err.reason).toBe('timeout');
  });

  it('times out a reply whose body stops arriving after its headers, rather than calling it a network failure', async () => {
    server.enqueue({ status: 200, stallAfter: '{"id": "msg_01Stalled", "type": "message", ' });
    const err = await failure(provider.generate(request(AbortSignal.timeout(150))));
    expect([err.reason, err.message]).toEqual(['timeout', 'anthropic call timed out']);
  });

  it('reports a 200 whose connection drops mid-body as a network failure the vendor may have billed', async () => {
    server.enqueue({ status: 200, cutAfter: '{"id": "msg_01Cut", "type": "message", ' });
    const err = await failure(provider.generate(request()));
    expect([err.reason, err.message, err.mayBeBilled]).toEqual([
      'network',
      'anthropic reply was cut off after its headers',
      true,
    ]);
  });

  it('tells a connection closed after the request was read (may be billed) from one refused (never sent)', async () => {
    server.enqueue({ drop: true });
    const closed = await failure(provider.generate(request()));
    const nowhere = new AnthropicProvider({
      apiKey: KEY,
      model: 'claude-sonnet-5',
      baseURL: 'http://127.0.0.1:9',
    });
    const refused = await failure(nowhere.generate(request()));
    expect([closed.reason, closed.message, closed.mayBeBilled]).toEqual([
      'network',
      'anthropic connection closed after the request',
      true,
    ]);
    expect([refused.reason, refused.message, refused.mayBeBilled]).toEqual([
      'network',
      'anthropic connection failed',
      false,
    ]);
  });

  it('never puts the key in an error message', async () => {
    server.enqueue(anthropicError(401, 'authentication_error'));
    const err = await failure(provider.generate(request()));
    expect(`${err.message} ${err.stack}`).not.toContain(KEY);
  });
});
