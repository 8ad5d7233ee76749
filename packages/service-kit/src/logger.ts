import { pino } from 'pino';
import { censorFields } from './censor-fields';
import { createRedactor, type Redactor } from './redactor';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

/** Where log lines go: anything with a synchronous `write(line)`, e.g. a test's capture. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Known secret values (from config): replaced wherever they appear in a line. */
  secrets?: Iterable<string>;
  /** Defaults to stdout, written synchronously so the last lines before exit are not lost. */
  destination?: LogDestination;
}

/**
 * JSON logs with two layers of redaction: secret-named fields are censored structurally, and
 * every finished line is scrubbed of known secret values and URL passwords, because secrets
 * leak through free text (error messages, stacks) that no field name can catch.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => censorFields(object) as Record<string, unknown> },
      // censorFields has already turned errors into plain objects; pino's serializer would retype them.
      serializers: { err: (err: unknown) => err },
    },
    scrubbing(destination, redact),
  );
}

function scrubbing(destination: LogDestination, redact: Redactor): pino.DestinationStream {
  return { write: (line: string) => void destination.write(redact(line)) };
}
