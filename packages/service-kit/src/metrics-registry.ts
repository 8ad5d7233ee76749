import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per service, with prom-client's default `process_*` and `nodejs_*` metrics. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
