import { type Envelope, envelopeSchema, FeatureVector, SignalCandidate } from '@ballast/contracts';
import type { ClosedCycle, WaitingVector } from '@ballast/core';
import type { SignalWaitingVectorRepository } from '@ballast/db';
import type { Logger } from '@ballast/service-kit';
import { z } from 'zod';

/** Where the vectors of open cycles are kept; default: the signal_waiting_vectors table. */
export type WaitingVectorStore = Pick<SignalWaitingVectorRepository, 'keep' | 'settled' | 'all'>;

/** A vector put back into its cycle at start, with the envelope its candidates are caused by. */
export interface RestoredVector {
  readonly envelope: Envelope<FeatureVector>;
  readonly waiting: WaitingVector;
}

const StoredEnvelope = envelopeSchema(FeatureVector);
const StoredCandidates = z.array(SignalCandidate);

/**
 * The vectors acknowledged into cycles that still wait for symbols, kept outside memory until their
 * cycle's candidates are out: no redelivery brings an acknowledged vector back, so without them a crash
 * (SIGKILL, OOM) between a vector's acknowledgement and its cycle's close lost its candidates. See
 * docs/adr/0018.
 */
export class WaitingCycles {
  /** Cycles with kept vectors (others closed without waiting: nothing to forget). */
  private readonly kept = new Set<string>();

  constructor(
    private readonly store: WaitingVectorStore,
    private readonly log: Logger,
  ) {}

  /** The vectors a run that ended without closing their cycles kept; an unreadable row is skipped. */
  async restore(): Promise<RestoredVector[]> {
    const restored: RestoredVector[] = [];
    for (const row of await this.store.all()) {
      const envelope = StoredEnvelope.safeParse(row.envelope);
      const candidates = StoredCandidates.safeParse(row.candidates);
      if (!envelope.success || !candidates.success) {
        this.log.error(
          { reason: 'waiting_vector_unreadable' },
          'a kept vector of an open cycle is unreadable: skipped',
        );
        continue;
      }
      const vector = envelope.data.payload;
      this.kept.add(cycleKey(vector));
      restored.push({ envelope: envelope.data, waiting: { vector, candidates: candidates.data } });
    }
    return restored;
  }

  /** Keeps a vector whose cycle waits; before its delivery is acknowledged. */
  async keep(envelope: Envelope<FeatureVector>, waiting: WaitingVector): Promise<void> {
    const { vector } = waiting;
    await this.store.keep(
      {
        exchange: vector.exchange,
        timeframe: vector.timeframe,
        openTime: vector.openTime,
        symbol: vector.symbol,
      },
      { envelope, candidates: waiting.candidates },
    );
    this.kept.add(cycleKey(vector));
  }

  /**
   * Forgets the vectors of cycles whose candidates are out. A failure is logged, not thrown: the rows
   * left put the cycle back at the next start, which publishes the same ids and the stored decisions.
   */
  async settled(cycles: readonly ClosedCycle[]): Promise<void> {
    for (const cycle of cycles) {
      const key = cycleKey(cycle);
      if (!this.kept.has(key)) continue;
      try {
        await this.store.settled(cycle);
        this.kept.delete(key);
      } catch (err) {
        this.log.warn(
          { err, cycle },
          'kept vectors of a settled cycle not forgotten: published again at the next start',
        );
      }
    }
  }
}

const cycleKey = (c: { exchange: string; timeframe: string; openTime: number }): string =>
  `${c.exchange}|${c.timeframe}|${c.openTime}`;
