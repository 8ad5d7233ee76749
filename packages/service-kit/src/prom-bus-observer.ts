import type { BusObserver, MessageOutcome } from '@ballast/bus';
import { Counter, Histogram, type Registry } from 'prom-client';

// Handlers range from sub-millisecond bookkeeping to exchange round trips of seconds.
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Inbound outcomes that send a message to dlq.<subject> (the DLQ panel and alert read them), and a
 * handler stuck (its panel).
 */
const BORN_AT_ZERO_OUTCOMES = ['invalid', 'dead_lettered', 'stuck'] as const;

/**
 * Turns bus events into Prometheus metrics. Labels use the subject family (e.g. `md.candle`),
 * never the full subject, so cardinality stays bounded however many symbols flow.
 */
export class PromBusObserver implements BusObserver {
  private readonly messages: Counter<'subject' | 'direction' | 'outcome'>;
  private readonly duration: Histogram<'subject' | 'outcome'>;
  private readonly inbound = new Set<string>();

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: 'ballast_bus_messages_total',
      help: 'Bus messages by subject family, direction (in/out) and outcome.',
      labelNames: ['subject', 'direction', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'ballast_bus_handler_duration_seconds',
      help: 'Time spent in bus message handlers, by subject family and outcome.',
      labelNames: ['subject', 'outcome'],
      buckets: HANDLER_BUCKETS,
      registers: [registry],
    });
  }

  message(event: { family: string; direction: 'in' | 'out'; outcome: MessageOutcome }): void {
    if (event.direction === 'in') this.declareDeadLetters(event.family);
    this.messages.inc({ subject: event.family, direction: event.direction, outcome: event.outcome });
  }

  /**
   * A family's dead-letter and stuck series exist at 0 from its first inbound message: a rate or increase over
   * them then counts the first dead letter too (a series born at 1 shows no increase).
   */
  private declareDeadLetters(family: string): void {
    if (this.inbound.has(family)) return;
    this.inbound.add(family);
    for (const outcome of BORN_AT_ZERO_OUTCOMES)
      this.messages.inc({ subject: family, direction: 'in', outcome }, 0);
  }

  handled(event: { family: string; seconds: number; outcome: 'ok' | 'error' }): void {
    this.duration.observe({ subject: event.family, outcome: event.outcome }, event.seconds);
  }
}
