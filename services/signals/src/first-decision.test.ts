import type { FeatureVector, SignalCandidate, SignalDecision } from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import type { KeptDecision } from '@ballast/db';
import { describe, expect, it } from 'vitest';
import { type DecideFor, FirstDecision } from './first-decision';
import { defaultSignalEngine } from './testing/default-engine';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';

/** The first candidate of the recorded BTC vectors that passes the vetoes, with its vector. */
function firstPassing(): { candidate: SignalCandidate; vector: FeatureVector } {
  const engine = defaultSignalEngine();
  for (const vector of recordedBtcVectors().vectors) {
    const candidate = engine.onFeatures(vector).find((c) => c.veto === null);
    if (candidate) return { candidate, vector };
  }
  throw new Error(`no passing candidate in ${RECORDED_FILE}`);
}

/** signal_decisions in memory: the first decision kept per candidate wins. */
class MemoryDecisions {
  readonly kept = new Map<string, KeptDecision>();
  async first(id: string): Promise<KeptDecision | undefined> {
    return this.kept.get(id);
  }
  async keepFirst(id: string, decision: unknown, decidedAt: number): Promise<KeptDecision | undefined> {
    const earlier = this.kept.get(id);
    if (earlier) return earlier;
    this.kept.set(id, { decision, decidedAt });
    return undefined;
  }
}

describe(`FirstDecision (${RECORDED_FILE})`, () => {
  it('asks again while the first decision is still being made (its publish failed, the vector came back): waits for that one, the agents asked once', async () => {
    const { candidate, vector } = firstPassing();
    const clock = new VirtualClock(vector.openTime + 3_600_000);
    let release: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = 0;
    // The agents take their time (a slow model, its retries); each call would be paid and may answer otherwise.
    const decide: DecideFor = async (c) => {
      const confidence = 50 + asked++;
      await answered;
      return {
        candidate: c,
        analyst: null,
        reviewer: null,
        approved: true,
        sizeMultiplier: confidence / 100,
      } satisfies SignalDecision;
    };
    const decisions = new FirstDecision({ decide, store: new MemoryDecisions(), clock });
    const first = decisions.decide(candidate, vector, 'corr-1');
    // Not yet decided when the retry asks: nothing is stored to find.
    const again = decisions.decide(candidate, vector, 'corr-1');
    clock.advance(2_000);
    release();
    const [made, retried] = await Promise.all([first, again]);
    expect(asked).toBe(1);
    expect(made).toEqual({
      decision: expect.objectContaining({ sizeMultiplier: 0.5 }),
      decidedAt: clock.now(),
      earlier: false,
    });
    // The retry publishes the decision made for it, as one made before (ADR 8: a switch-off since withholds an approval).
    expect(retried).toEqual({ ...made, earlier: true });
  });
});

describe(`FirstDecision when the store fails to keep a decision (${RECORDED_FILE})`, () => {
  /** signal_decisions whose first write fails (a database outage), as the pg driver throws it. */
  class FailingOnce extends MemoryDecisions {
    failures = 1;
    override async keepFirst(id: string, decision: unknown, decidedAt: number) {
      if (this.failures-- > 0) throw new Error('Connection terminated unexpectedly');
      return super.keepFirst(id, decision, decidedAt);
    }
  }

  function counting() {
    const asked: number[] = [];
    const decide: DecideFor = async (c) => {
      asked.push(asked.length);
      return {
        candidate: c,
        analyst: null,
        reviewer: null,
        approved: true,
        sizeMultiplier: asked.length === 1 ? 0.5 : 0.9,
      } satisfies SignalDecision;
    };
    return { asked, decide };
  }

  it('keeps the decision made for the retry: stored then, stamped with when it was made, the agents not asked (and paid) again', async () => {
    const { candidate, vector } = firstPassing();
    const clock = new VirtualClock(vector.openTime + 3_600_000);
    const { asked, decide } = counting();
    const store = new FailingOnce();
    const decisions = new FirstDecision({ decide, store, clock });
    const madeAt = clock.now();
    await expect(decisions.decide(candidate, vector, 'corr-1')).rejects.toThrow('Connection terminated');
    clock.advance(30_000);
    const retried = await decisions.decide(candidate, vector, 'corr-1');
    expect(asked).toHaveLength(1);
    expect(retried).toEqual({
      decision: expect.objectContaining({ approved: true, sizeMultiplier: 0.5 }),
      decidedAt: madeAt,
      earlier: false,
    });
    expect(store.kept.get(candidate.id)).toEqual({ decision: retried.decision, decidedAt: madeAt });
  });

  it('does not keep an approval for a retry whose strategy was switched off meanwhile: the switch-off step decides', async () => {
    const { candidate, vector } = firstPassing();
    const clock = new VirtualClock(vector.openTime + 3_600_000);
    const { decide } = counting();
    const decisions = new FirstDecision({ decide, store: new FailingOnce(), clock });
    await expect(decisions.decide(candidate, vector, 'corr-1')).rejects.toThrow('Connection terminated');
    const off: DecideFor = async (c) => ({
      candidate: c,
      analyst: null,
      reviewer: null,
      approved: false,
      sizeMultiplier: 0,
    });
    const retried = await decisions.decide(candidate, vector, 'corr-1', off);
    expect(retried.decision.approved).toBe(false);
  });
});
