import { Counter, Gauge, type Registry } from 'prom-client';

const PLACEMENT_OUTCOMES = ['verified', 'retried', 'failed', 'verify_failed'] as const;
export type PlacementOutcome = (typeof PLACEMENT_OUTCOMES)[number];
const VERIFICATION_OUTCOMES = ['ok', 'lost', 'executed', 'error'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];
const ATR_WARM_UP_OUTCOMES = ['warmed', 'too_few_bars', 'failed'] as const;

/** The stops service's metrics: coverage is the one to alert on (below 1 = an unprotected position). */
export class StopMetrics {
  readonly coverage: Gauge;
  readonly placements: Counter<'outcome'>;
  readonly invalid: Counter<'subject'>;
  readonly verifications: Counter<'outcome'>;
  readonly atrWarmUps: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.coverage = new Gauge({
      name: 'ballast_stops_coverage_ratio',
      help: 'Open positions with a verified live stop on the venue covering all of them over open positions (1 when flat)',
      registers: [registry],
    });
    this.coverage.set(1);
    this.placements = new Counter({
      name: 'ballast_stops_placements_total',
      help: 'Stop placements by outcome (verified, retried, failed, verify_failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.verifications = new Counter({
      name: 'ballast_stops_verifications_total',
      help: 'Periodic read-backs of live stops by outcome (ok, lost, executed, error)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.atrWarmUps = new Counter({
      name: 'ballast_stops_atr_warmups_total',
      help: 'Trailing ATRs filled from stored candles at start or for a new position, by outcome (warmed, too_few_bars, failed: the read failed and the ATR warms on live bars)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.invalid = new Counter({
      name: 'ballast_stops_invalid_messages_total',
      help: 'Messages the stops service could not act on',
      labelNames: ['subject'],
      registers: [registry],
    });
    // Born at 0, so panels and rates over them exist before the first of each.
    for (const outcome of PLACEMENT_OUTCOMES) this.placements.inc({ outcome }, 0);
    for (const outcome of VERIFICATION_OUTCOMES) this.verifications.inc({ outcome }, 0);
    for (const outcome of ATR_WARM_UP_OUTCOMES) this.atrWarmUps.inc({ outcome }, 0);
    this.invalid.inc({ subject: 'recon.event' }, 0);
  }
}
