import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './auth/api-path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));
export const DEFAULT_WEB_DIST = join(WEB_ROOT, 'dist');

/** True when the build is missing or older than a dashboard source (the default build only). */
function stale(dist: string): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  if (dist !== DEFAULT_WEB_DIST) return false;
  const built = statSync(index).mtimeMs;
  const sources = [join(WEB_ROOT, 'index.html'), ...walk(join(WEB_ROOT, 'src'))];
  return sources.some((path) => statSync(path).mtimeMs > built);
}

/** Builds the dashboard with Vite when its output is missing or stale (first start, tests, after edits). */
export async function ensureWebBuilt(dist: string = DEFAULT_WEB_DIST): Promise<string> {
  if (!stale(dist)) return dist;
  const { build } = await import('vite');
  // Built beside and renamed into place, so two processes starting at once never see half a build.
  const staging = `${dist}.${process.pid}.${Date.now()}`;
  await build({ root: WEB_ROOT, logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  try {
    // Another process may have replaced the stale build meanwhile; only a still-stale one goes.
    if (existsSync(dist) && stale(dist)) rmSync(dist, { recursive: true, force: true });
    renameSync(staging, dist);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return dist;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Serves the built dashboard from memory: the file set is fixed at start, so no request path ever
 * reaches the file system. Unknown non-API paths get index.html (the app routes by hash).
 */
export function registerWebAssets(app: FastifyInstance, dist: string): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const path of walk(dist)) {
    const url = `/${relative(dist, path).split('\\').join('/')}`;
    files.set(url, { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream' });
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`no index.html in ${dist}`);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    );
    return payload;
  });
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (isApiPath(path)) return reply.code(404).send({ error: 'not_found', message: 'no such route' });
    const file = files.get(path) ?? index;
    const immutable = path.startsWith('/assets/');
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.type(file.type).send(file.body);
  });
}
