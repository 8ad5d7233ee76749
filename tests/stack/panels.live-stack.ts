import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  analystReply,
  anthropicToolUse,
  geminiError,
  type ScriptedServer,
  startScriptedServer,
} from '@ballast/agents/testing';
import { freePortRun, repoRoot, waitFor } from '@ballast/testkit';

const cliMain = join(repoRoot, 'packages', 'cli', 'src', 'main.ts');

/** Local Gemini (analyst) and Claude (reviewer) speaking the vendors' wire formats to the real SDKs. */
export interface LlmDoubles {
  readonly env: Record<string, string>;
  readonly gemini: ScriptedServer;
  readonly claude: ScriptedServer;
  close(): Promise<void>;
}

/**
 * The analyst agrees with the candidate's own levels (read back from its prompt), the reviewer approves
 * at size 1: the model path changes no trade. Gemini's first answer is a 503, so a failure and a retry
 * are on record as well.
 */
export async function startLlmDoubles(): Promise<LlmDoubles> {
  const gemini = await startScriptedServer();
  const claude = await startScriptedServer();
  gemini.enqueue(geminiError(503, 'UNAVAILABLE'));
  gemini.respondWith(analystReply);
  claude.respondWith(() =>
    anthropicToolUse('review_verdict', { approve: true, sizeMultiplier: 1, reasons: ['model: as proposed'] }),
  );
  return {
    gemini,
    claude,
    env: {
      ANALYST_PROVIDER: 'gemini',
      REVIEWER_PROVIDER: 'anthropic',
      REFLECTOR_PROVIDER: 'rules',
      // Lessons from the round trip (written by the rules reflector): the reflection panels have data.
      AGENT_REFLECTION: 'on',
      GEMINI_API_KEY: 'AIza-panels-live-test',
      GEMINI_BASE_URL: gemini.url,
      ANTHROPIC_API_KEY: 'sk-ant-panels-live-test',
      ANTHROPIC_BASE_URL: claude.url,
      AGENT_TIMEOUT_MS: '20000',
    },
    close: async () => {
      await gemini.close();
      await claude.close();
    },
  };
}

/** A gateway user list with one viewer (scrypt at a test's cost; nobody logs in). */
export function gatewayUsers(): string {
  const salt = randomBytes(16);
  const hash = scryptSync('panels-live-viewer', salt, 64, { N: 1024, r: 8, p: 1 });
  const scryptHash = `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
  return JSON.stringify([{ name: 'viewer', role: 'viewer', scryptHash }]);
}

/** `ballast up` running in its own process, as a user starts it. */
export interface BallastUp {
  readonly process: ChildProcess;
  readonly prometheusUrl: string;
  /** Every output line so far (the services' prefixed logs included). */
  readonly output: string[];
  /** Every pid the state file ever named (supervisor, services, Prometheus). */
  readonly pids: Set<number>;
  /** `ballast down` from another process; resolves once `up` exited. */
  down(): Promise<{ code: number | null }>;
}

export interface UpOptions {
  readonly services: readonly string[];
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Modules every service preloads (`--import`). */
  readonly imports: readonly string[];
}

/** Starts `ballast up` with a 1 s scrape, and resolves once every service answers /readyz. */
export async function ballastUp(options: UpOptions): Promise<BallastUp> {
  const basePort = await freePortRun(options.services.length + 1);
  const promPort = basePort + options.services.length;
  const args = [
    ...['--import', 'tsx', cliMain, 'up', '--state-dir', options.stateDir],
    ...['--services', options.services.join(','), '--base-port', String(basePort)],
    ...['--prometheus-port', String(promPort), '--scrape-interval', '1s', '--stop-grace-ms', '20000'],
    ...options.imports.flatMap((m) => ['--import', m]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  const exited = once(child, 'exit');
  const pids = new Set<number>();
  const up: BallastUp = {
    process: child,
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    output,
    pids,
    down: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', cliMain, 'down', '--state-dir', options.stateDir],
          { cwd: repoRoot, env: options.env, timeout: 120_000 },
        );
        await exited;
      }
      return { code: child.exitCode };
    },
  };
  const ports = options.services.map((_, i) => basePort + i);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`ballast up exited ${child.exitCode}`);
      recordPids(options.stateDir, pids);
      const ready = await Promise.all(
        ports.map((port) =>
          fetch(`http://127.0.0.1:${port}/readyz`).then(
            (r) => r.status === 200,
            () => false,
          ),
        ),
      );
      return ready.every(Boolean);
    },
    'every service ready under ballast up',
    { timeoutMs: 300_000, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- ballast up output (tail) ---\n${output.slice(-60).join('\n')}`);
  });
  recordPids(options.stateDir, pids);
  return up;
}

function recordPids(stateDir: string, pids: Set<number>): void {
  try {
    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as {
      supervisorPid: number;
      children: { pid: number | null }[];
    };
    pids.add(state.supervisorPid);
    for (const c of state.children) if (c.pid !== null) pids.add(c.pid);
  } catch {
    // Not written yet.
  }
}
