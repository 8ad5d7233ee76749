import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortRun, prometheusBinary, waitFor } from '@ballast/testkit';

/** A real Prometheus on loopback, evaluating `rules` (a rule file's YAML) every second. */
export interface PrometheusProcess {
  readonly url: string;
  /** Replaces the rules and reloads them (POST /-/reload). */
  setRules(rules: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(rules: string): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-prom-'));
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, rules);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    ['global:', '  evaluation_interval: 1s', 'rule_files:', `  - ${JSON.stringify(rulesFile)}`, ''].join(
      '\n',
    ),
  );
  const port = await freePortRun(1);
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheusBinary('prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    () =>
      fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    'prometheus ready',
    { timeoutMs: 30_000 },
  );
  return {
    url,
    async setRules(next) {
      writeFileSync(rulesFile, next);
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`prometheus reload failed: HTTP ${res.status}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
