import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Names the build's inputs: written into the dist by every build and compared at start. A hash, not file
 * times: `pnpm deploy` (the Docker image) copies the sources after the dist, and a checkout sets times
 * at will, so times say nothing about which sources a dist was built from.
 */
export const WEB_SOURCE_HASH_FILE = 'source-hash.txt';

/** SHA-256 over every dashboard source (web/index.html and web/src/**): their paths and contents. */
export function webSourceHash(root: string = WEB_ROOT): string {
  const hash = createHash('sha256');
  const sources = [join(root, 'index.html'), ...walk(join(root, 'src'))];
  for (const path of sources.map((p) => relative(root, p).split('\\').join('/')).sort()) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(root, path)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True when the build is missing or was built from other sources than web/'s (the default build only). */
function stale(dist: string): boolean {
  if (!existsSync(join(dist, 'index.html'))) return true;
  if (dist !== DEFAULT_WEB_DIST) return false;
  const stamp = join(dist, WEB_SOURCE_HASH_FILE);
  return !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== webSourceHash();
}

/**
 * Builds the dashboard with Vite when its output is missing or stale (first start, tests, after edits).
 * A dist built from the current sources is used as it is, so an image without vite (a `--prod`
 * deploy, read-only to the service) starts from the dist its build stage made.
 */
export async function ensureWebBuilt(dist: string = DEFAULT_WEB_DIST): Promise<string> {
  if (!stale(dist)) return dist;
  await buildWeb(dist, 'stale');
  return dist;
}

/**
 * Builds the dashboard into `dist` and stamps it with the sources' hash. `pnpm build:web` replaces any
 * dist; a start replaces only one still stale, as another process may have built it meanwhile.
 */
export async function buildWeb(
  dist: string = DEFAULT_WEB_DIST,
  replace: 'always' | 'stale' = 'always',
): Promise<void> {
  const vite = await import('vite').catch((err: unknown) => {
    // A --prod install has no vite: it serves the dist `build:web` made from the same sources.
    throw new Error(
      `cannot build the dashboard into ${dist}: vite cannot be loaded (${(err as Error).message}); ` +
        'build it where vite is installed: pnpm --filter @ballast/gateway-service build:web',
    );
  });
  const hash = webSourceHash();
  // Built beside and renamed into place, so two processes starting at once never see half a build.
  const staging = `${dist}.${process.pid}.${Date.now()}`;
  await vite.build({ root: WEB_ROOT, logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  writeFileSync(join(staging, WEB_SOURCE_HASH_FILE), `${hash}\n`);
  try {
    if (existsSync(dist) && (replace === 'always' || stale(dist)))
      rmSync(dist, { recursive: true, force: true });
    renameSync(staging, dist);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
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
    if (relative(dist, path) === WEB_SOURCE_HASH_FILE) continue;
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
