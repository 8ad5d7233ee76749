// `pnpm bench <name>` runs bench/<name>.ts: each benchmark prints its own figure and its peers'.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const benchDir = join(import.meta.dirname, '..', 'bench');
const name = process.argv[2];
const available = existsSync(benchDir)
  ? readdirSync(benchDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -3))
  : [];

if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name>\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(join(benchDir, `${name}.ts`)).href);
