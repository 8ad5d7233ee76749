import { Gauge, type Registry } from 'prom-client';

/** What the gauge needs of one strategy's readiness report (the read model's `/api/readiness` rows). */
export interface StrategyReadiness {
  readonly strategy: string;
  readonly criteria: readonly { readonly criterion: string; readonly ok: boolean }[];
}

/**
 * `ballast_readiness_criterion_ok{strategy,criterion}`: 1 when a strategy meets a go-live criterion.
 * Computed from the database at scrape time, as `/api/readiness` is; a failed read leaves the gauge
 * empty (and logs) rather than reporting stale verdicts.
 */
export function registerReadinessGauge(
  registry: Registry,
  readiness: () => Promise<readonly StrategyReadiness[]>,
  log: { warn(fields: object, msg: string): void },
): Gauge<'strategy' | 'criterion'> {
  return new Gauge({
    name: 'ballast_readiness_criterion_ok',
    help: 'Go-live readiness per strategy and criterion: 1 met, 0 not met (see `ballast readiness`)',
    labelNames: ['strategy', 'criterion'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const report of await readiness())
          for (const c of report.criteria)
            this.set({ strategy: report.strategy, criterion: c.criterion }, c.ok ? 1 : 0);
      } catch (err) {
        log.warn({ err }, 'readiness gauge: could not read readiness');
      }
    },
  });
}
