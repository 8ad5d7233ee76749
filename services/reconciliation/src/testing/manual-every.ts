import type { Every } from '../venue-leadership';

/** Timers that fire only when the test says: `fire(ms)` runs each timer of that period once. */
export function manualEvery(): { every: Every; fire(ms: number): void } {
  const timers = new Set<{ ms: number; run: () => void }>();
  return {
    every(ms, run) {
      const timer = { ms, run };
      timers.add(timer);
      return { stop: () => void timers.delete(timer) };
    },
    fire(ms) {
      for (const timer of [...timers]) if (timer.ms === ms) timer.run();
    },
  };
}
