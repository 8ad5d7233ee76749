import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ballast-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `ballast demo` run as the operator runs it: its exit code and what it printed to stderr. */
async function demo(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const main = fileURLToPath(new URL('../main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'demo', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const [code] = await once(child, 'exit');
  return { code, stderr };
}

describe('ballast demo', () => {
  it('refuses a --from or --to that is not a date at once, naming the flag and the value, and exits 1', async () => {
    // An empty data directory: the demo, had it run on, would not have found the refusal's words.
    const data = mkdtempSync(join(dir, 'data-'));
    for (const [flag, value] of [
      ['--from', '2021-13-45'],
      ['--to', 'next tuesday'],
    ] as const) {
      const report = join(dir, `report${flag}`);
      const { code, stderr } = await demo(['--data', data, '--report', report, flag, value]);
      expect(stderr.trim()).toBe(`ballast: ${flag}: not a date or epoch ms: ${value}`);
      expect(code).toBe(1);
      expect(existsSync(report)).toBe(false);
    }
  }, 60_000);
});
