import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { databaseUrl, natsUrl } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';

// The benchmarks are run by hand (`pnpm bench ...`) for their figures; these runs only prove they still
// measure something. The latency bench once measured nothing for a session (a new risk rule refused
// every entry against its fixed book) and no test said so.
const ROOT = join(import.meta.dirname, '../..');

function bench(name: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/bench.ts'), name],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err.code as number) ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe('benchmarks still measure', () => {
  it('latency: a few triggers through the services as processes, beside the NATS round trip', async () => {
    const { code, out } = await bench('latency', {
      NATS_URL: await natsUrl(),
      DATABASE_URL: await databaseUrl(),
      LATENCY_TRIGGERS: '5',
    });
    expect(out, out).toContain('latency bench: 5 triggers');
    expect(out).toMatch(
      /candle emitted by the simulator → order at the simulator: p50 [\d.]+ ms {2}p99 [\d.]+ ms/,
    );
    expect(out).toMatch(/raw NATS request\/reply \(612 B\): p50 [\d.]+ ms/);
    expect(code, out).toBe(0);
  }, 600_000);

  it('backtest: candles per CPU-second beside grademark', async () => {
    const { code, out } = await bench('backtest', { BENCH_BUDGET_MS: '1000' });
    expect(out, out).toMatch(/ballast full pipeline: [\d,]+ candles per CPU-second/);
    expect(out).toMatch(/grademark 0\.3\.0 SMA\(10\/30\) crossover: [\d,]+ candles per CPU-second/);
    expect(code, out).toBe(0);
  }, 600_000);
});
