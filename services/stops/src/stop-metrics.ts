import { Counter, Gauge, type Registry } from 'prom-client';

export type PlacementOutcome = 'verified' | 'retried' | 'failed' | 'verify_failed';
export type VerificationOutcome = 'ok' | 'lost' | 'executed' | 'error';

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
      help: 'Open positions with a verified live stop on the venue over open positions (1 when flat)',
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
  }
}
