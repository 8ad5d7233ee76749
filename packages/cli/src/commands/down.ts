import { resolve } from 'node:path';
import type { Command } from 'commander';
import { positiveInteger } from './positive-integer';
import { DEFAULT_STATE_DIR, isRunning, readState, removeState } from './supervisor-state';

interface DownOptions {
  readonly stateDir: string;
  readonly timeoutMs: string;
}

/** `ballast down`: stops what `ballast up` started, from any shell. */
export function registerDownCommand(program: Command): void {
  program
    .command('down')
    .description('stop every service started by `ballast up`')
    .option('--state-dir <dir>', 'the state directory given to `ballast up`', DEFAULT_STATE_DIR)
    .option('--timeout-ms <ms>', 'how long to wait for a clean stop before SIGKILL', '45000')
    .action(async (options: DownOptions) => {
      process.exitCode = await down(options);
    });
}

async function down(options: DownOptions): Promise<number> {
  const stateDir = resolve(options.stateDir);
  const state = readState(stateDir);
  if (!state) {
    console.log('not running');
    return 0;
  }
  const timeoutMs = positiveInteger('--timeout-ms', options.timeoutMs);
  // The supervisor drains its children itself; SIGTERM and wait.
  if (isRunning(state.supervisorPid)) {
    console.log(`stopping supervisor ${state.supervisorPid}`);
    await terminate(state.supervisorPid, timeoutMs);
  }
  // Children left behind by a supervisor that died without stopping them (killed -9, crashed).
  const orphans = state.children.filter((c) => c.pid !== null && isRunning(c.pid, c.script));
  await Promise.all(
    orphans.map((c) => {
      console.log(`stopping orphaned ${c.name} (pid ${c.pid})`);
      return terminate(c.pid as number, timeoutMs, c.script);
    }),
  );
  removeState(stateDir);
  console.log('stopped');
  return 0;
}

/** SIGTERM, then SIGKILL once `timeoutMs` passes; resolves when the process is gone. */
async function terminate(pid: number, timeoutMs: number, script?: string): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, script)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
