import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The environment variable naming the file a replay clock reads its time from. */
export const REPLAY_CLOCK_ENV = 'BALLAST_REPLAY_CLOCK_FILE';

/** `--import` this (after tsx) to put a service process on the replay clock (see replay-clock-preload). */
export const replayClockImport = pathToFileURL(
  join(dirname(fileURLToPath(import.meta.url)), 'replay-clock-preload.ts'),
).href;

/**
 * The time of a replay shared by several processes: written to one file, read by every process's
 * injected clock on each `now()`. Setting it is visible to all of them as soon as `set` returns.
 */
export class ReplayClockFile {
  private current: number;

  constructor(
    readonly path: string,
    start: number,
  ) {
    this.current = start;
    this.set(start);
  }

  now(): number {
    return this.current;
  }

  set(time: number): void {
    // Write then rename: a reader sees the old or the new time, never a half-written file.
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, String(time));
    renameSync(temp, this.path);
    this.current = time;
  }

  /** The variable to hand to a service process started with `replayClockImport`. */
  env(): Record<string, string> {
    return { [REPLAY_CLOCK_ENV]: this.path };
  }
}
