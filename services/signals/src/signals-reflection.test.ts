import { agentsConfigSchema } from '@ballast/agents';
import { type ScriptedServer, startScriptedServer } from '@ballast/agents/testing';
import { createLogger, loadConfig } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();

describe(`signals: a reflector that does not answer delays no decision (${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;
  let reflector: ScriptedServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    reflector = await startScriptedServer();
    reflector.respondWith(() => ({ hang: true }));
    fixture = await startSignalsFixture({
      name: 'signals_reflection',
      log: createLogger({ service: 'signals', destination: { write: (l) => logLines.push(l) } }),
      // A vetoed candidate is judged on the next bar of its series: the reflector is asked then.
      env: { SIGNALS_HINDSIGHT_BARS: '1' },
      agents: loadConfig(agentsConfigSchema, {
        ANALYST_PROVIDER: 'rules',
        REVIEWER_PROVIDER: 'rules',
        REFLECTOR_PROVIDER: 'gemini',
        GEMINI_API_KEY: 'AIza-reflection-test-0a1b2c3d4e5f',
        GEMINI_BASE_URL: reflector.url,
        GEMINI_MODEL: 'gemini-2.0-flash',
        AGENT_PRICES_JSON: JSON.stringify({
          'gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
        }),
        AGENT_TIMEOUT_MS: '120000',
        AGENT_MAX_ATTEMPTS: '1',
      }),
    });
  });

  afterAll(async () => {
    // Closed already unless the test failed early; a hung call fails once its server is gone.
    await reflector?.close().catch(() => undefined);
    await fixture?.[Symbol.asyncDispose]();
  });

  it('decides every passing candidate while the reflector hangs, asking it one reflection at a time', async () => {
    const engine = defaultSignalEngine();
    // Up to the first bar with a passing candidate after two vetoed candidates were judged.
    let vetoed = 0;
    let passing = 0;
    const last = vectors.findIndex((v) => {
      const candidates = engine.onFeatures(v);
      vetoed += candidates.filter((c) => c.veto !== null).length;
      passing += candidates.filter((c) => c.veto === null).length;
      return vetoed >= 2 && passing > 0;
    });
    await fixture.publishVectors(vectors.slice(0, last + 1));
    await waitFor(() => fixture.decisions.length === passing, 'the decisions', { timeoutMs: 15_000 });
    expect(reflector.requests).toHaveLength(1);
    const queued = await fixture.metrics.getSingleMetric('ballast_signals_reflections_queued')?.get();
    expect(queued?.values[0]?.value).toBe(vetoed - 1);
    // Stopped (a restart), the lessons still queued are counted and said in the log, not lost quietly.
    // The hung call fails once its server is gone; the stop waits for the lesson being written.
    await reflector.close();
    await fixture.restart();
    const dropped = logLines.filter((l) => l.includes('reflections still queued at stop are not written'));
    expect(dropped).toHaveLength(1);
    expect(JSON.parse(dropped[0]!).dropped).toBe(vetoed - 1);
  });
});
