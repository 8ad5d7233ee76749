import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request as the routes see it: method, path, raw query and body (both kept for signatures). */
export interface SimRequest {
  method: string;
  path: string;
  rawQuery: string;
  rawBody: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}

const MAX_BODY = 1 << 20;

export async function readRequest(req: IncomingMessage): Promise<SimRequest> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const rawBody = await readBody(req);
  const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  const isForm = !String(req.headers['content-type'] ?? '').includes('json');
  const params = new URLSearchParams(rawQuery);
  if (isForm) for (const [k, v] of new URLSearchParams(rawBody)) params.append(k, v);
  return { method: req.method ?? 'GET', path: url.pathname, rawQuery, rawBody, params, headers: req.headers };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(text);
}

/** What a route returns: a status and a JSON body (a string body is sent verbatim). */
export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
