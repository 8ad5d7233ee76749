import type { FeatureVector } from '@ballast/contracts';
import type { ClosedCycle, EngineAnswer } from '@ballast/core';
import type { Logger } from '@ballast/service-kit';
import { Counter, type Registry } from 'prom-client';

const VECTOR_OUTCOMES = [
  'new',
  'repeat',
  'out_of_order',
  'stale',
  'unreadable',
  'forgotten',
  'after_gap',
] as const;
type VectorOutcome = (typeof VECTOR_OUTCOMES)[number];
const CYCLE_OUTCOMES = ['complete', 'incomplete'] as const;
type CycleOutcome = (typeof CYCLE_OUTCOMES)[number];

/**
 * What the engine made of each vector and cycle, as counters and log lines: after an outage an operator
 * can tell vectors ignored as old or out of order, strategies that could not read a vector, and cycles
 * ranked without a symbol (named, and said when it never reported at all: a typo or an unwarmed series).
 */
export class EngineReport {
  /** One child counter per outcome, made once: every vector counts, and label hashing per call costs. */
  private readonly vectors: Record<VectorOutcome, Counter.Internal>;
  private readonly cycles: Record<CycleOutcome, Counter.Internal>;
  /** Series seen at least once, so a missing symbol that never reported is said as such. */
  private readonly reported = new Set<string>();
  /** Series in a spell of stale vectors: said once when it starts and once when it ends. */
  private readonly staleSeries = new Set<string>();

  constructor(
    private readonly log: Logger,
    metrics: Registry,
    private readonly maxVectorAgeMs: number,
  ) {
    const vectors = new Counter({
      name: 'ballast_signals_vectors_total',
      help: 'Feature vectors delivered, by outcome: new, repeat (redelivery), out_of_order, stale (bar too old to trade), unreadable (a strategy could not read it), forgotten (a redelivery whose unsettled first answer the engine dropped: its candidates are not published again), after_gap (new, but its previous bar never came: the strategies read it with no history)',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    this.vectors = byOutcome(vectors, VECTOR_OUTCOMES);
    const cycles = new Counter({
      name: 'ballast_signals_cycles_total',
      help: 'Cycles ranked, by outcome: complete, or incomplete (ranked at the deadline without a universe symbol)',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    this.cycles = byOutcome(cycles, CYCLE_OUTCOMES);
  }

  vector(vector: FeatureVector, answer: EngineAnswer): void {
    const series = seriesKey(vector);
    this.reported.add(series);
    const unreadable = answer.outcome === 'new' && answer.unreadable.length > 0;
    const afterGap = answer.outcome === 'new' && answer.afterGap === true;
    this.vectors[
      answer.forgotten ? 'forgotten' : unreadable ? 'unreadable' : afterGap ? 'after_gap' : answer.outcome
    ].inc();
    if (afterGap)
      this.log.warn(
        { ...bar(vector, answer), reason: 'history_gap' },
        'feature vector after missing ones of its series: the strategies read it with no history (no previous bar)',
      );
    if (answer.forgotten)
      this.log.error(
        { ...bar(vector, answer), reason: 'forgotten_answer' },
        'feature vector delivered again after the engine dropped its unsettled answer: the candidates of the cycle it closed are not published again',
      );
    if (answer.outcome === 'stale') this.stale(series, bar(vector, answer));
    else if (answer.outcome === 'new' && this.staleSeries.delete(series))
      this.log.info(bar(vector, answer), 'feature vectors on time again: strategies propose');
    if (answer.outcome === 'out_of_order')
      this.log.warn(bar(vector, answer), 'feature vector older than one already seen of its series: ignored');
    if (unreadable)
      this.log.warn(
        { ...bar(vector, answer), reason: 'unreadable_vector', strategies: answer.unreadable },
        'strategies could not read a feature vector; the others proposed',
      );
    if (answer.cycles.length > 0) this.cycle(answer.cycles);
  }

  cycle(cycles: readonly ClosedCycle[]): void {
    for (const c of cycles) {
      this.cycles[c.missing.length === 0 ? 'complete' : 'incomplete'].inc();
      if (c.missing.length === 0) continue;
      const neverReported = c.missing.filter((symbol) => !this.reported.has(seriesKey({ ...c, symbol })));
      this.log.warn(
        { ...c, neverReported, reason: 'incomplete_cycle' },
        'cycle ranked at its deadline without every universe symbol',
      );
    }
  }

  private stale(series: string, bar: Record<string, unknown>): void {
    if (this.staleSeries.has(series)) return;
    this.staleSeries.add(series);
    this.log.warn(
      { ...bar, maxAgeMs: this.maxVectorAgeMs, reason: 'stale_vector' },
      'feature vectors older than SIGNALS_MAX_VECTOR_AGE_MS: kept as history, no candidates until they are on time',
    );
  }
}

/** Each outcome's child counter, at 0 from the start so every series exists before its first event. */
function byOutcome<O extends string>(counter: Counter<'outcome'>, outcomes: readonly O[]) {
  const children = {} as Record<O, Counter.Internal>;
  for (const outcome of outcomes) {
    children[outcome] = counter.labels({ outcome });
    children[outcome].inc(0);
  }
  return children;
}

/** The bar a vector closed, as its log lines name it. */
function bar(vector: FeatureVector, answer: EngineAnswer) {
  const { exchange, symbol, timeframe, openTime } = vector;
  return { exchange, symbol, timeframe, openTime, ageMs: answer.ageMs };
}

export function seriesKey(s: { exchange: string; symbol: string; timeframe: string }): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}
