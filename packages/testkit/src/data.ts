import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The recorded market data beside the repo (`../shared/data`), or BALLAST_DATA_DIR. */
export function sharedDataDir(): string {
  const fromEnv = process.env.BALLAST_DATA_DIR;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, '..', 'shared', 'data');
    if (existsSync(join(dir, 'pnpm-workspace.yaml')) && existsSync(candidate)) return resolve(candidate);
    dir = dirname(dir);
  }
  throw new Error(
    'recorded data not found: expected ../shared/data beside the repository, or set BALLAST_DATA_DIR',
  );
}

/** Reads a data file as text, gunzipping `.gz`. */
export function readDataFile(relativePath: string): string {
  const buf = readFileSync(join(sharedDataDir(), relativePath));
  return (relativePath.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}
