import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import type { ReflectionInput } from '../pipeline/reflection-input';

export interface HindsightOptions {
  /** Bars after the candidate's bar before an unresolved candidate is judged at the last close. */
  readonly bars: number;
  /** Candidates watched at once; the oldest is dropped beyond this (bounded memory). */
  readonly maxPending: number;
}

export const DEFAULT_HINDSIGHT: HindsightOptions = { bars: 24, maxPending: 500 };

interface Pending {
  readonly candidate: SignalCandidate;
  readonly openTime: number;
  readonly correlationId: string;
  readonly decision: string;
  seen: number;
  /** The open time of the last bar counted: a redelivered bar is not counted twice. */
  lastBar: number;
}

/**
 * What a vetoed or rejected candidate would have done, from the closes of the bars that followed on
 * its own series: the first close at or through the stop resolves it at the stop, the first close at
 * or through the first target resolves it at the target, and after `bars` bars it is judged at that
 * bar's close. Closes, not wicks: a spike through the stop that closed back inside does not count,
 * which errs toward the trade's favour; the features stream carries closes only.
 */
export class HindsightTracker {
  #pending: Pending[] = [];

  constructor(private readonly options: HindsightOptions = DEFAULT_HINDSIGHT) {}

  get size(): number {
    return this.#pending.length;
  }

  /**
   * Watches a candidate raised on the bar at `openTime` (once: a redelivered decision is watched
   * already). Returns false when one was dropped to fit.
   */
  track(candidate: SignalCandidate, openTime: number, correlationId: string, decision: string): boolean {
    if (this.#pending.some((p) => p.candidate.id === candidate.id)) return true;
    this.#pending.push({ candidate, openTime, correlationId, decision, seen: 0, lastBar: openTime });
    if (this.#pending.length <= this.options.maxPending) return true;
    this.#pending.shift();
    return false;
  }

  /** The candidates this bar resolves, as reflection inputs. */
  onFeatures(vector: FeatureVector): ReflectionInput[] {
    const resolved: ReflectionInput[] = [];
    const kept: Pending[] = [];
    for (const pending of this.#pending) {
      const price = sameSeriesLater(pending, vector) ? this.resolve(pending, vector) : undefined;
      if (price === undefined) kept.push(pending);
      else resolved.push(toInput(pending, price));
    }
    this.#pending = kept;
    return resolved;
  }

  private resolve(pending: Pending, vector: FeatureVector): number | undefined {
    if (vector.openTime <= pending.lastBar) return undefined;
    pending.lastBar = vector.openTime;
    pending.seen += 1;
    const { close } = vector;
    const { side, stop, takeProfits } = pending.candidate;
    const target = takeProfits[0] ?? pending.candidate.entry;
    const long = side === 'long';
    if (long ? close <= stop : close >= stop) return stop;
    if (long ? close >= target : close <= target) return target;
    return pending.seen >= this.options.bars ? close : undefined;
  }
}

function sameSeriesLater(pending: Pending, vector: FeatureVector): boolean {
  const c = pending.candidate;
  return (
    vector.exchange === c.exchange &&
    vector.symbol === c.symbol &&
    vector.timeframe === c.timeframe &&
    vector.openTime > pending.openTime
  );
}

function toInput(pending: Pending, outcomePrice: number): ReflectionInput {
  const c = pending.candidate;
  return {
    correlationId: pending.correlationId,
    kind: 'rejected_candidate',
    symbol: c.symbol,
    setup: c.setup,
    side: c.side,
    entry: c.entry,
    stop: c.stop,
    outcomePrice,
    decision: pending.decision,
  };
}
