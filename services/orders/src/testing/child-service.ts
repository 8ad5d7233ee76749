import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A service entry point run as its own process (`node --import tsx main.ts`), its JSON log lines kept. */
export class ChildService {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly child: ChildProcess;

  constructor(script: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log entry (a stray print): nothing to keep.
      }
    });
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logged(msg: string): Record<string, unknown> | undefined {
    if (this.exited && !this.lines.some((l) => l.msg === msg))
      throw new Error(`the service exited (${this.child.exitCode ?? this.child.signalCode}) before "${msg}"`);
    return this.lines.find((l) => l.msg === msg);
  }

  /** Sends `signal` and resolves with the exit code (null when the signal ended it). */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.exited) return this.child.exitCode;
    const exit = once(this.child, 'exit') as Promise<[number | null]>;
    this.child.kill(signal);
    const [code] = await exit;
    return code;
  }
}
