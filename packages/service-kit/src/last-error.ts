import type { LogDestination } from './logger';

/** The most recent error a service logged, as `/readyz` reports it for `ballast status`. */
export interface LastError {
  readonly message: string;
  /** ISO time of the log line. */
  readonly at: string;
}

// pino's numeric levels for error and fatal.
const ERROR_LEVEL = 50;

/**
 * A log destination that passes every line on and remembers the last error-level one. It sits behind
 * the logger's redaction, so what it keeps has already been scrubbed of secrets.
 */
export class LastErrorRecorder implements LogDestination {
  private last: LastError | undefined;

  constructor(private readonly inner: LogDestination) {}

  write(line: string): unknown {
    const written = this.inner.write(line);
    // Cheap test before parsing: most lines are info.
    if (line.includes('"level":5') || line.includes('"level":6')) this.remember(line);
    return written;
  }

  get(): LastError | undefined {
    return this.last;
  }

  private remember(line: string): void {
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        msg?: string;
        time?: string;
        err?: { message?: string };
      };
      if ((entry.level ?? 0) < ERROR_LEVEL) return;
      const detail = entry.err?.message;
      const message = [entry.msg, detail].filter(Boolean).join(': ') || 'error';
      this.last = { message, at: entry.time ?? '' };
    } catch {
      // A line that is not JSON is not ours to interpret.
    }
  }
}
