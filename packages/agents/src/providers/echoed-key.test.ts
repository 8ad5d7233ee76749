import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../agent-error';
import { REVIEW_JSON_SCHEMA } from '../pipeline/verdict-schemas';
import type { LanguageModelProvider } from '../provider';
import { type ScriptedServer, startScriptedServer } from '../testing/scripted-server';
import { AnthropicProvider } from './anthropic/anthropic-provider';
import { GeminiProvider } from './gemini/gemini-provider';
import { KEY_MASK, keyMasked } from './key-masked';
import { OpenAiCompatibleProvider } from './openai-compatible/openai-compatible-provider';

const CLAUDE_KEY = 'sk-ant-api03-echoedKey-Pw4Xc8Lm2Zr6';
const GEMINI_KEY = 'AIzaSyEchoedKey-Tg5Hn1Bq7Vk3Ws9';
const COMPAT_KEY = 'sk-or-v1-echoedKey-Jd2Fm6Qp0Ny4';

/**
 * A base URL pointed at the wrong server (a debugging echo service, a misconfigured gateway) answers 200
 * with what it was sent, our key among the headers: a reply we cannot read, whose text the audit keeps.
 */
describe('a server answering with the request it was sent, our key in it', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
    server.respondWith((request) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ echo: { method: request.method, headers: request.headers } }),
    }));
  });
  afterAll(() => server.close());

  const cases: ReadonlyArray<readonly [string, string, () => LanguageModelProvider]> = [
    [
      'anthropic',
      CLAUDE_KEY,
      () => new AnthropicProvider({ apiKey: CLAUDE_KEY, model: 'claude-sonnet-5', baseURL: server.url }),
    ],
    [
      'gemini',
      GEMINI_KEY,
      () => new GeminiProvider({ apiKey: GEMINI_KEY, model: 'gemini-2.0-flash', baseUrl: server.url }),
    ],
    [
      'openai-compatible',
      COMPAT_KEY,
      () => new OpenAiCompatibleProvider({ baseUrl: server.url, model: 'llama3.1', apiKey: COMPAT_KEY }),
    ],
  ];

  for (const [vendor, key, make] of cases) {
    it(`keeps no copy of the key for the audit (${vendor})`, async () => {
      const sent = server.requests.length;
      const err = await make()
        .generate({
          system: 'review',
          prompt: 'BTC long',
          schemaName: 'review_verdict',
          schema: REVIEW_JSON_SCHEMA,
          maxOutputTokens: 64,
          signal: AbortSignal.timeout(2_000),
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(server.requests.length).toBe(sent + 1);
      expect(JSON.stringify(server.requests.at(-1)?.headers)).toContain(key);
      expect(err).toBeInstanceOf(AgentError);
      const { reason, message, rawResponse } = err as AgentError;
      expect(reason).toBe('malformed_response');
      expect(`${message} ${rawResponse ?? ''}`).not.toContain(key);
    });
  }
});

describe('keyMasked', () => {
  it('keeps every fact of the error but the key: its reason, wait, usage and whether it may be billed', () => {
    const usage = { inputTokens: 10, outputTokens: 2 };
    const error = new AgentError('network', 'cut', 1_000, `{"key": "${COMPAT_KEY}"}`, usage, true);
    const masked = keyMasked(error, COMPAT_KEY);
    expect([masked.reason, masked.message, masked.retryAfterMs, masked.usage, masked.mayBeBilled]).toEqual([
      'network',
      'cut',
      1_000,
      usage,
      true,
    ]);
    expect(masked.rawResponse).toBe(`{"key": "${KEY_MASK}"}`);
  });
});
