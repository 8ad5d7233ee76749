/** A base path that already names the API version: `/v1`, `/api/v1`, `/openai/v1`. */
const VERSIONED = /\/v\d+$/;

/**
 * Where chat completions are posted under an OpenAI-compatible base URL: its path is kept (a hosted
 * endpoint lives under one, `https://openrouter.ai/api/v1`), and `/v1` is added only to a base that names
 * no version (`http://127.0.0.1:11434`, the server root of Ollama or llama.cpp).
 */
export function chatCompletionsUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = `${path}${VERSIONED.test(path) ? '' : '/v1'}/chat/completions`;
  return url;
}
