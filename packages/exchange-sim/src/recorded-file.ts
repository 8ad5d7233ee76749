import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Reads one recorded file from the data directory as text, gunzipping `.gz`. */
export function readRecordedFile(dataDir: string, relativePath: string): string {
  const buf = readFileSync(join(dataDir, relativePath));
  return (relativePath.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}
