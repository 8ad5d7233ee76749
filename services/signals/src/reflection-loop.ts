import {
  decisionSummary,
  type HindsightOptions,
  HindsightTracker,
  type ReflectDeps,
  type ReflectionInput,
  reflect,
  TradeOutcomeTracker,
  vetoSummary,
} from '@ballast/agents';
import type { Bus, Subscription } from '@ballast/bus';
import {
  type Envelope,
  type FeatureVector,
  type PositionEvent,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import type { Logger } from '@ballast/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ReflectionLoopDeps {
  readonly bus: Bus;
  readonly reflect: ReflectDeps;
  readonly hindsight: HindsightOptions;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly durable: string;
}

/** Reflections waiting for the reflector; beyond this a new one is dropped (a slow model, bounded memory). */
export const MAX_QUEUED_REFLECTIONS = 100;

/**
 * Writes lessons from outcomes: every closed position (pos.event), and every vetoed or rejected
 * candidate once hindsight on the following bars of its series says what it would have done.
 * Reflections are queued and written one at a time, apart from the deliveries that raise them: a slow
 * or failing reflector delays lessons, never a decision. Stopping drops what is still queued and waits
 * for the one being written.
 */
export class ReflectionLoop {
  readonly #outcomes = new TradeOutcomeTracker();
  readonly #hindsight: HindsightTracker;
  readonly #counted: Counter<'kind' | 'outcome'>;
  readonly #queuedGauge: Gauge;
  readonly #queued: ReflectionInput[] = [];
  /** The queue being written, while it is. */
  #writing: Promise<void> | undefined;
  #stopped = false;
  #subscription: Subscription | undefined;

  constructor(private readonly deps: ReflectionLoopDeps) {
    this.#hindsight = new HindsightTracker(deps.hindsight);
    this.#counted = new Counter({
      name: 'ballast_signals_reflections_total',
      help: 'Reflections by kind (closed_position, rejected_candidate) and outcome (written, failed, dropped, queue_full, stopped, or why a close was untracked).',
      labelNames: ['kind', 'outcome'],
      registers: [deps.metrics],
    });
    this.#queuedGauge = new Gauge({
      name: 'ballast_signals_reflections_queued',
      help: 'Reflections waiting for the reflector.',
      registers: [deps.metrics],
    });
  }

  async start(): Promise<void> {
    this.#subscription = await this.deps.bus.subscribe(
      subject(Subjects.positionEvent, {}),
      (m) => this.onPosition(m),
      { durable: this.deps.durable },
    );
  }

  async stop(): Promise<void> {
    await this.#subscription?.stop();
    this.#stopped = true;
    const dropped = this.#queued.splice(0);
    for (const input of dropped) this.#counted.inc({ kind: input.kind, outcome: 'stopped' });
    if (dropped.length > 0)
      this.deps.log.warn({ dropped: dropped.length }, 'reflections still queued at stop are not written');
    this.#queuedGauge.set(0);
    await this.#writing;
  }

  onVetoed(candidate: SignalCandidate, openTime: number, correlationId: string): void {
    if (candidate.veto) this.watch(candidate, openTime, correlationId, vetoSummary(candidate.veto));
  }

  onDecision(decision: SignalDecision, openTime: number, correlationId: string): void {
    this.#outcomes.onDecision(decision, correlationId);
    if (!decision.approved)
      this.watch(decision.candidate, openTime, correlationId, decisionSummary(decision));
  }

  /** Queues a reflection for every watched candidate this bar resolves; returns at once. */
  onFeatures(vector: FeatureVector): void {
    for (const input of this.#hindsight.onFeatures(vector)) this.enqueue(input);
  }

  private watch(candidate: SignalCandidate, openTime: number, correlationId: string, decision: string): void {
    if (!this.#hindsight.track(candidate, openTime, correlationId, decision)) {
      this.#counted.inc({ kind: 'rejected_candidate', outcome: 'dropped' });
    }
  }

  private onPosition(message: Envelope<PositionEvent>): void {
    const result = this.#outcomes.onPosition(message.payload, message.correlationId);
    if (result === null) return;
    if (typeof result === 'string') {
      this.#counted.inc({ kind: 'closed_position', outcome: result });
      this.deps.log.info(
        { positionId: message.payload.positionId, why: result },
        'closed position not reflected on',
      );
      return;
    }
    this.enqueue(result);
  }

  private enqueue(input: ReflectionInput): void {
    if (this.#stopped || this.#queued.length >= MAX_QUEUED_REFLECTIONS) {
      const outcome = this.#stopped ? 'stopped' : 'queue_full';
      this.#counted.inc({ kind: input.kind, outcome });
      this.deps.log.warn(
        { kind: input.kind, correlationId: input.correlationId, outcome },
        'reflection dropped',
      );
      return;
    }
    this.#queued.push(input);
    this.#queuedGauge.set(this.#queued.length);
    this.#writing ??= this.writeQueued();
  }

  private async writeQueued(): Promise<void> {
    try {
      for (let input = this.#queued.shift(); input; input = this.#queued.shift()) {
        this.#queuedGauge.set(this.#queued.length);
        await this.write(input);
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** A failed reflection is logged and counted, never retried: a lesson is not worth a stuck stream. */
  private async write(input: ReflectionInput): Promise<void> {
    try {
      const lessons = await reflect(input, this.deps.reflect);
      this.#counted.inc({ kind: input.kind, outcome: 'written' });
      this.deps.log.info(
        {
          kind: input.kind,
          symbol: input.symbol,
          setup: input.setup,
          correlationId: input.correlationId,
          lessons: lessons.length,
        },
        'lesson written',
      );
    } catch (err) {
      this.#counted.inc({ kind: input.kind, outcome: 'failed' });
      this.deps.log.error(
        {
          kind: input.kind,
          correlationId: input.correlationId,
          why: err instanceof Error ? err.name : 'unknown',
        },
        'reflection failed',
      );
    }
  }
}
