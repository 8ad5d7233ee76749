import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WEB_ROOT, webSourceHash } from './web-assets';

const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The dashboard's sources copied aside, as a checkout or `pnpm deploy` would lay them out. */
function copyOfWeb(): string {
  const root = mkdtempSync(join(tmpdir(), 'ballast-web-'));
  copies.push(root);
  cpSync(join(WEB_ROOT, 'index.html'), join(root, 'index.html'));
  cpSync(join(WEB_ROOT, 'src'), join(root, 'src'), { recursive: true });
  return root;
}

describe('webSourceHash', () => {
  it('is the same for a copy whose files are all newer than the build (pnpm deploy copies the dist first)', () => {
    const root = copyOfWeb();
    const later = new Date(Date.UTC(2030, 0, 1));
    utimesSync(join(root, 'index.html'), later, later);
    utimesSync(join(root, 'src', 'main.ts'), later, later);
    expect(webSourceHash(root)).toBe(webSourceHash(WEB_ROOT));
  });

  it('changes when a source changes or a source is added', () => {
    const edited = copyOfWeb();
    writeFileSync(join(edited, 'src', 'main.ts'), '// edited\n', { flag: 'a' });
    const added = copyOfWeb();
    writeFileSync(join(added, 'src', 'extra.ts'), 'export {};\n');
    const hashes = new Set([webSourceHash(WEB_ROOT), webSourceHash(edited), webSourceHash(added)]);
    expect(hashes.size).toBe(3);
  });
});
