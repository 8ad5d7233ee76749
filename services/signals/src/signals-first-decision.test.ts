import { agentsConfigSchema } from '@ballast/agents';
import { analystReply, type ScriptedServer, startScriptedServer } from '@ballast/agents/testing';
import type { Bus } from '@ballast/bus';
import { type Envelope, type SignalDecision, Subjects } from '@ballast/contracts';
import { loadConfig } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { onPublish } from './testing/on-publish';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

/** The vectors up to the first one with a candidate that passes the vetoes, and how many pass there. */
function upToFirstPassing() {
  const engine = defaultSignalEngine();
  let passing = 0;
  const last = vectors.findIndex((v) => {
    passing = engine.onFeatures(v).filter((c) => c.veto === null).length;
    return passing > 0;
  });
  return { sent: vectors.slice(0, last + 1), passing };
}

describe(`signals: a candidate delivered again gets its first decision, without asking the model again (${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;
  let gemini: ScriptedServer;
  /** Every decision the service published (duplicates the stream dropped included). */
  const published: Envelope<SignalDecision>[] = [];
  let failNextDecision = true;
  /**
   * The first decision reaches the stream, then its publish fails (the acknowledgement lost, or the
   * next step of the cycle failing): the vector is delivered again.
   */
  const wrapBus = (bus: Bus): Bus =>
    onPublish(bus, async (on, publish) => {
      const sent = await publish();
      if (on.family.name !== Subjects.signalDecision.name) return sent;
      published.push(sent as Envelope<SignalDecision>);
      if (failNextDecision) {
        failNextDecision = false;
        throw new Error('injected failure after the decision went out');
      }
      return sent;
    });

  beforeAll(async () => {
    gemini = await startScriptedServer();
    // Each call answers with another confidence: a second decision would differ from the first.
    gemini.respondWith((request) => analystReply(request, 50 + gemini.requests.length));
    fixture = await startSignalsFixture({
      name: 'signals_first_decision',
      wrapBus,
      agents: loadConfig(agentsConfigSchema, {
        ANALYST_PROVIDER: 'gemini',
        REVIEWER_PROVIDER: 'rules',
        GEMINI_API_KEY: 'AIza-first-decision-test-0a1b2c3d',
        GEMINI_BASE_URL: gemini.url,
        GEMINI_MODEL: 'gemini-2.0-flash',
        AGENT_PRICES_JSON: JSON.stringify({
          'gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
        }),
        AGENT_TIMEOUT_MS: '3000',
      }),
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await gemini?.close();
  });

  const { sent, passing } = upToFirstPassing();
  const byCandidate = (id: string | undefined) => published.filter((d) => d.payload.candidate.id === id);

  it('after a failed delivery publishes the same decision under the same id; the model is asked once', async () => {
    expect(passing).toBeGreaterThan(0);
    await fixture.publishVectors(sent);
    await fixture.vectorsHandled(sent.length);
    expect(fixture.vectorOutcomes.filter((o) => o === 'error')).toEqual(['error']);
    await waitFor(() => fixture.decisions.length === passing, 'the decisions', { timeoutMs: 10_000 });
    expect(gemini.requests).toHaveLength(passing);
    const [first, again] = byCandidate(published[0]?.payload.candidate.id);
    expect(again?.id).toBe(first?.id);
    expect(again?.payload).toEqual(first?.payload);
    expect(published).toHaveLength(passing + 1);
    expect(fixture.decisions.map((d) => d.payload)).toEqual(published.slice(1).map((d) => d.payload));
  });

  it('after a restart publishes every candidate’s stored decision again; the model is not asked', async () => {
    const before = published.length;
    await fixture.restart();
    await fixture.publishVectors(sent);
    await waitFor(() => published.length === before + passing, 'the decisions again', { timeoutMs: 20_000 });
    expect(gemini.requests).toHaveLength(passing);
    for (const again of published.slice(before)) {
      const [first] = byCandidate(again.payload.candidate.id);
      // Stamped with when it was made, so risk judges its age (stale_signal) from then, not from now.
      expect({ id: again.id, payload: again.payload, eventTime: again.eventTime }).toEqual({
        id: first?.id,
        payload: first?.payload,
        eventTime: first?.eventTime,
      });
      expect(again.emittedAt).toBeGreaterThan(again.eventTime);
    }
  });
});
