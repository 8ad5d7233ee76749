import type { Logger } from './logger';

/** One resource to close at shutdown, named for the log. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs steps in the given order, each to completion before the next (the bus must finish
 * in-flight work before the database it writes to closes). A failing step is logged and the
 * rest still run; returns whether every step succeeded.
 */
export async function runShutdownSteps(steps: readonly ShutdownStep[], log: Logger): Promise<boolean> {
  let clean = true;
  for (const step of steps) {
    const started = performance.now();
    log.info({ step: step.name }, `stopping ${step.name}`);
    try {
      await step.run();
      log.info({ step: step.name, ms: Math.round(performance.now() - started) }, `stopped ${step.name}`);
    } catch (err) {
      clean = false;
      log.error({ step: step.name, err }, `failed to stop ${step.name}`);
    }
  }
  return clean;
}
