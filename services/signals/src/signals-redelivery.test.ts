import type { BusObserver } from '@ballast/bus';
import { Subjects } from '@ballast/contracts';
import type { Decide } from '@ballast/core';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

describe(`signals: a vector redelivered after its handler failed still gets its decision, once (${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;
  const decisionsOut: string[] = [];
  const candidatesOut: string[] = [];
  const observer: BusObserver = {
    message: (e) => {
      if (e.direction !== 'out') return;
      if (e.family === Subjects.signalDecision.name) decisionsOut.push(e.outcome);
      if (e.family === Subjects.signalCandidate.name) candidatesOut.push(e.outcome);
    },
    handled: () => undefined,
  };
  /** The agents fail the first time they are asked (a provider or database outage), then decide. */
  let asked = 0;
  const decide: Decide = (candidate) => {
    asked++;
    if (asked === 1) throw new Error('injected agent failure');
    return { candidate, analyst: null, reviewer: null, approved: true, sizeMultiplier: 1 };
  };

  beforeAll(async () => {
    fixture = await startSignalsFixture({ name: 'signals_redelivery', observer, decide });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('publishes the candidates again under the same ids and each decision once', async () => {
    const engine = defaultSignalEngine();
    // The vectors up to the first one with a candidate that passes the vetoes: its decision fails once.
    let deciding = 0;
    let passing = 0;
    let proposed = 0;
    const upTo = vectors.findIndex((v) => {
      const candidates = engine.onFeatures(v);
      deciding = candidates.length;
      proposed += candidates.length;
      passing = candidates.filter((c) => c.veto === null).length;
      return passing > 0;
    });
    expect(upTo).toBeGreaterThan(0);
    const sent = vectors.slice(0, upTo + 1);
    await fixture.publishVectors(sent);
    await fixture.vectorsHandled(sent.length);
    expect(fixture.vectorOutcomes.filter((o) => o === 'error')).toEqual(['error']);
    const { decisions } = fixture;
    await waitFor(() => decisions.length === passing, 'the decisions', { timeoutMs: 10_000 });
    expect(decisions.every((d) => d.payload.approved)).toBe(true);
    // Asked once in vain, then once for each passing candidate; each decision published once.
    expect(asked).toBe(passing + 1);
    expect(decisionsOut).toEqual(Array(passing).fill('ok'));
    // The failed delivery had published the deciding vector's candidates; the redelivery's copies are
    // the same messages (the same ids), kept once by the stream.
    expect(candidatesOut.filter((o) => o === 'duplicate')).toHaveLength(deciding);
    // Counted once each: the redelivery is a repeat, not more candidates.
    const counted = (await fixture.metrics.getSingleMetric('ballast_signals_candidates_total')?.get())
      ?.values;
    expect(counted?.reduce((sum, v) => sum + v.value, 0)).toBe(proposed);
    const vectorsSeen = (await fixture.metrics.getSingleMetric('ballast_signals_vectors_total')?.get())
      ?.values;
    expect(vectorsSeen?.find((v) => v.labels.outcome === 'repeat')?.value).toBe(1);
  });
});
