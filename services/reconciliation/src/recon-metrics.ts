import { DRIFT_KINDS } from '@ballast/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * `flagged`: the records agree only after noting a drift nothing of ours explains (a balance): the
 * venue is reconciled, but the run does not count as clean (the last-clean time does not move).
 */
export const RUN_OUTCOMES = ['clean', 'repaired', 'flagged', 'unreconciled', 'unknown'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** Reconciliation's metrics: the last-clean timestamp is the one to alert on (it stops moving). */
export class ReconMetrics {
  readonly runs: Counter<'venue' | 'outcome'>;
  readonly drifts: Counter<'venue' | 'kind'>;
  readonly superseded: Counter<'venue' | 'kind'>;
  readonly lastClean: Gauge<'venue'>;
  readonly leader: Gauge<'venue'>;
  readonly duration: Histogram;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'ballast_recon_runs_total',
      help: 'Reconciliation runs by venue and outcome (clean, repaired, flagged, unreconciled, unknown)',
      labelNames: ['venue', 'outcome'],
      registers: [registry],
    });
    this.drifts = new Counter({
      name: 'ballast_recon_drift_total',
      help: 'Differences found between the venue and our records, by venue and kind',
      labelNames: ['venue', 'kind'],
      registers: [registry],
    });
    this.superseded = new Counter({
      name: 'ballast_recon_superseded_total',
      help: 'Corrections not written because our record changed after it was read (another service wrote it first); read again next pass',
      labelNames: ['venue', 'kind'],
      registers: [registry],
    });
    this.lastClean = new Gauge({
      name: 'ballast_recon_last_clean_timestamp_seconds',
      help: 'Unix time of the last run that found the venue and our records equal (clean, or repaired; never flagged)',
      labelNames: ['venue'],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'ballast_recon_leader',
      help: 'Whether this process reconciles the venue: 1 while it holds the venue reconciliation lock, 0 while another process does and this one stands by',
      labelNames: ['venue'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'ballast_recon_duration_seconds',
      help: 'Wall time of one reconciliation run, reads and repairs included',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /**
   * A process that starts reconciling `venue`: every run outcome, drift kind and superseded kind at 0, so the first of
   * each is an increase, and the last clean time the stored one (`lastCleanAt`, epoch ms), so a
   * restarted process that is never clean still ages it.
   */
  leading(venue: string, lastCleanAt: number): void {
    for (const outcome of RUN_OUTCOMES) this.runs.inc({ venue, outcome }, 0);
    for (const kind of DRIFT_KINDS) {
      this.drifts.inc({ venue, kind }, 0);
      this.superseded.inc({ venue, kind }, 0);
    }
    this.lastClean.set({ venue }, lastCleanAt / 1000);
  }
}
