import { ExitCode } from './exit-codes';
import type { Logger } from './logger';
import { runShutdownSteps, type ShutdownStep } from './shutdown-steps';

export type Exit = (code: number) => void;

/**
 * Owns the process's end: signals and unhandled failures all lead to one ordered shutdown.
 * Resources register as they come up and close in reverse order of registration.
 */
export class Lifecycle {
  private readonly steps: ShutdownStep[] = [];
  private stopping: Promise<void> | undefined;
  private startup: Promise<unknown> = Promise.resolve();
  private requested!: () => void;
  /** Resolves once shutdown is asked for: startup steps that wait (a standby) stop waiting. */
  readonly stopRequested = new Promise<void>((resolve) => {
    this.requested = resolve;
  });

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs: number,
    private readonly exit: Exit = (code) => process.exit(code),
  ) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Shutdown waits for startup to settle, so nothing opened during startup is left behind. */
  trackStartup(startup: Promise<unknown>): void {
    this.startup = startup;
  }

  onStop(step: ShutdownStep): void {
    this.steps.unshift(step);
  }

  install(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.onSignal(signal));
    process.on('unhandledRejection', (reason) => this.onFailure('unhandled rejection', reason));
    process.on('uncaughtException', (err) => this.onFailure('uncaught exception', err));
  }

  /** Idempotent: the first caller's exit code wins. */
  shutdown(code: ExitCode): Promise<void> {
    this.requested();
    this.stopping ??= this.stop(code);
    return this.stopping;
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.isStopping) {
      this.log.warn({ signal }, 'second signal during shutdown, forcing exit');
      this.exit(ExitCode.failure);
      return;
    }
    this.log.info({ signal }, 'shutdown requested');
    void this.shutdown(ExitCode.ok);
  }

  private onFailure(what: string, err: unknown): void {
    this.log.error({ err }, what);
    void this.shutdown(ExitCode.failure);
  }

  private async stop(code: ExitCode): Promise<void> {
    const deadline = setTimeout(() => this.timedOut(), this.timeoutMs);
    await this.startup.catch(() => undefined);
    const clean = await runShutdownSteps(this.steps, this.log);
    clearTimeout(deadline);
    const exitCode = clean ? code : ExitCode.failure;
    this.log.info({ exitCode }, 'stopped');
    this.exit(exitCode);
  }

  private timedOut(): void {
    this.log.error({ timeoutMs: this.timeoutMs }, 'shutdown timed out, forcing exit');
    this.exit(ExitCode.failure);
  }
}
