import { createLogger, type Logger } from '@ballast/service-kit';

/** The service's logger at info, each line (JSON) pushed into `lines`: for tests that read what it said. */
export function loggingInto(lines: string[]): Logger {
  return createLogger({
    service: 'signals-test',
    level: 'info',
    destination: { write: (l) => lines.push(l) },
  });
}
