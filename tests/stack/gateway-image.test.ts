import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The gateway's part of the Dockerfile's build stage, without a Docker engine: the dashboard built in the
// workspace, then `pnpm deploy --prod --legacy` of the gateway, which is what the runtime image holds.

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(join(tmpdir(), 'ballast-gateway-image-'));
const out = join(work, 'out');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A child process, so `vite` resolves from the package it runs in (vitest itself brings vite along), and
// without the NODE_PATH `pnpm exec` sets, which points into the workspace's store; the image has none.
const probe = join(work, 'probe.mts');
writeFileSync(
  probe,
  'const { ensureWebBuilt } = await import(process.argv[2]);\nconsole.log(await ensureWebBuilt());\n',
);
function ensureWebBuiltIn(pkg: string): string {
  const { NODE_PATH: _, ...env } = process.env;
  return execFileSync(tsx, [probe, join(pkg, 'src', 'web-assets.ts')], {
    cwd: pkg,
    env,
    encoding: 'utf8',
  }).trim();
}

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length))
    .sort();

describe('the gateway as deployed into the Docker image (pnpm deploy --prod, no vite)', () => {
  it('serves the dist its build stage made: no rebuild, no vite, nothing written', {
    timeout: 180_000,
  }, () => {
    ensureWebBuiltIn(join(root, 'services', 'gateway'));
    // --prefer-offline, not --offline: the legacy deploy resolves again, and a machine whose store was
    // filled by `install --frozen-lockfile` alone holds no registry metadata (ERR_PNPM_NO_OFFLINE_META on
    // a fresh CI box); what is cached is used, what is not is read from the registry.
    execFileSync(
      'pnpm',
      ['--filter', '@ballast/gateway-service', 'deploy', '--prod', '--legacy', '--prefer-offline', out],
      { cwd: root, stdio: 'pipe', env: { ...process.env, CI: 'true' } },
    );
    // What the image lacks: vite is a devDependency.
    expect(existsSync(join(out, 'node_modules', 'vite'))).toBe(false);
    const dist = join(out, 'web', 'dist');
    const before = files(join(out, 'web'));
    const index = readFileSync(join(dist, 'index.html'), 'utf8');

    expect(ensureWebBuiltIn(out)).toBe(dist);

    expect(files(join(out, 'web'))).toEqual(before);
    expect(readFileSync(join(dist, 'index.html'), 'utf8')).toBe(index);
  });
});
