import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../agent-error';
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

  it('calls a reply whose connection is cut mid-body a network failure', async () => {
    const provider = await serving((res) => {
      res.write('{"choices":[');
      setImmediate(() => res.socket?.destroy());
    });
    expect(reasonOf(await ask(provider))).toBe('network');
  });

  it('calls a reply that arrived in full and is not JSON malformed', async () => {
    const provider = await serving((res) => res.end('{"choices":[ oops'));
    expect(reasonOf(await ask(provider))).toBe('malformed_response');
  });
});
