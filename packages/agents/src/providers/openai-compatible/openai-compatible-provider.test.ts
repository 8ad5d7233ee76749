import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../agent-error';
import { startScriptedServer } from '../../testing/scripted-server';
import { OpenAiCompatibleProvider } from './openai-compatible-provider';

// A local server that answers the headers of /v1/chat/completions, then does what `body` says.
let close: (() => void) | undefined;
afterEach(() => close?.());

async function serving(body: (res: ServerResponse) => void): Promise<OpenAiCompatibleProvider> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    body(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  const { port } = server.address() as AddressInfo;
  return new OpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${port}`, model: 'local' });
}

const ask = (provider: OpenAiCompatibleProvider, timeoutMs = 5_000) =>
  provider
    .generate({
      system: 'review',
      prompt: 'BTC long',
      schemaName: 'review',
      schema: {},
      maxOutputTokens: 64,
      signal: AbortSignal.timeout(timeoutMs),
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );

const reasonOf = (err: unknown) => (err instanceof AgentError ? err.reason : `not an AgentError: ${err}`);

describe('the OpenAI-compatible provider reading a reply body', () => {
  it('calls a reply that stops arriving before the timeout a timeout, not an unusable answer', async () => {
    const provider = await serving((res) => res.write('{"choices":['));
    expect(reasonOf(await ask(provider, 300))).toBe('timeout');
  });

  it('calls a reply whose connection is cut mid-body a network failure the vendor may have billed', async () => {
    const provider = await serving((res) => {
      res.write('{"choices":[');
      setImmediate(() => res.socket?.destroy());
    });
    const err = await ask(provider);
    expect(reasonOf(err)).toBe('network');
    expect((err as AgentError).mayBeBilled).toBe(true);
  });

  it('calls a connection closed once the request was read a network failure the vendor may have billed', async () => {
    const server = await startScriptedServer();
    try {
      server.enqueue({ drop: true });
      const err = await ask(new OpenAiCompatibleProvider({ baseUrl: server.url, model: 'local' }));
      expect([reasonOf(err), (err as AgentError).mayBeBilled]).toEqual(['network', true]);
    } finally {
      await server.close();
    }
  });

  it('calls a reply that arrived in full and is not JSON malformed', async () => {
    const provider = await serving((res) => res.end('{"choices":[ oops'));
    expect(reasonOf(await ask(provider))).toBe('malformed_response');
  });
});

describe('the OpenAI-compatible provider finding /chat/completions under its base URL', () => {
  it('keeps the base path (a hosted endpoint under /api/v1), adds /v1 only to a base without a version', async () => {
    const server = await startScriptedServer();
    close = () => void server.close();
    const verdict = { approve: false, sizeMultiplier: 0, reasons: ['no'] };
    server.respondWith(() => ({
      status: 200,
      body: JSON.stringify({
        choices: [{ message: { content: JSON.stringify(verdict) }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      }),
    }));
    const bases = ['/api/v1', '/api/v1/', '/openai/v1', '/v1', '', '/', '/ollama'];
    for (const base of bases) {
      const provider = new OpenAiCompatibleProvider({ baseUrl: `${server.url}${base}`, model: 'local' });
      expect(await ask(provider)).toBeUndefined();
    }
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/v1/chat/completions',
      '/api/v1/chat/completions',
      '/openai/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/ollama/v1/chat/completions',
    ]);
  });
});
