import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Where `ballast up` keeps its state, relative to the working directory (beside `.ballast/pglite`). */
export const DEFAULT_STATE_DIR = '.ballast/up';

const Exit = z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.number() });

const ChildRecord = z.object({
  name: z.string(),
  pid: z.number().nullable(),
  port: z.number().nullable(),
  /** The entry file, so `down` kills a recorded pid only while it still runs that file. */
  script: z.string(),
  phase: z.enum(['running', 'backoff', 'stopping', 'stopped', 'failed']),
  restarts: z.number(),
  lastExit: Exit.nullable(),
});
export type ChildRecord = z.infer<typeof ChildRecord>;

/** What `status` and `down` read from another shell. Holds no secret: URLs are stored with passwords masked. */
export const SupervisorState = z.object({
  supervisorPid: z.number(),
  startedAt: z.number(),
  updatedAt: z.number(),
  natsUrl: z.string(),
  busPrefix: z.string().nullable(),
  prometheusUrl: z.string().nullable(),
  children: z.array(ChildRecord),
});
export type SupervisorState = z.infer<typeof SupervisorState>;

export function stateFile(stateDir: string): string {
  return join(stateDir, 'state.json');
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export function writeState(stateDir: string, state: SupervisorState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFile(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The recorded state, or null when nothing was started from this directory. */
export function readState(stateDir: string): SupervisorState | null {
  let text: string;
  try {
    text = readFileSync(stateFile(stateDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = SupervisorState.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${stateFile(stateDir)} is not a ballast up state file`);
  return parsed.data;
}

export function removeState(stateDir: string): void {
  rmSync(stateFile(stateDir), { force: true });
}

/** True while `pid` runs and its command line mentions `script` (guards against a recycled pid). */
export function isRunning(pid: number, script?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (script === undefined) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(script);
  } catch {
    // No procfs (macOS): the pid check alone has to do.
    return true;
  }
}
