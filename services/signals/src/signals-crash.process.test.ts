import { once } from 'node:events';
import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import { createDb } from '@ballast/db';
import { type ServiceProcess, waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { pairsUpToFirstPassing } from './testing/paired-vectors';
import { RECORDED_FILE } from './testing/recorded-vectors';
import { processStackPerDescribe, type SignalsProcessStack, YEARS } from './testing/signals-process';

// Recorded BTC and ETH 1h bars (binance-spot-ohlcv/BTCUSDT-1h.csv.gz, ETHUSDT-1h.csv.gz), replayed years
// after they closed: the service's vector age and queue limits are set past that, and its cycle grace too,
// so an open cycle waits for its missing symbol however long the restart takes.
const UNIVERSE = ['BTC-USDT', 'ETH-USDT'];
const pairs = pairsUpToFirstPassing();
const upToLast = pairs.flat().slice(0, -1);
const [, lastEth] = pairs[pairs.length - 1] as [FeatureVector, FeatureVector];

/** The candidates of the last bar's cycle as an uninterrupted run ranks them, once ETH's vector closes it. */
function lastCycleCandidates(): SignalCandidate[] {
  const engine = defaultSignalEngine(UNIVERSE);
  for (const v of upToLast) engine.receive(v);
  return engine.receive(lastEth).decided.map((d) => d.candidate);
}

/** Every bar up to the last, then only BTC's vector of it (its cycle waits for ETH), acknowledged; then a SIGKILL. */
async function killWithCycleOpen(stack: SignalsProcessStack, first: ServiceProcess): Promise<void> {
  await stack.publish(upToLast);
  // Acknowledged: no redelivery will bring the BTC vector back to the next process.
  await stack.pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  expect(first.child.signalCode).toBe('SIGKILL');
}

async function keptVectors(stack: SignalsProcessStack): Promise<Array<{ symbol: string }>> {
  const handle = await createDb({ url: stack.testDb.url, poolSize: 1 });
  const kept = await handle.db.selectFrom('signal_waiting_vectors').select('symbol').execute();
  await handle.db.destroy();
  return kept;
}

describe(`signals: a cycle open when the process is killed is ranked after the restart (${RECORDED_FILE})`, () => {
  const opened = processStackPerDescribe('signals_crash', UNIVERSE);

  it('publishes the candidates of the vector acknowledged before a SIGKILL once, and decides them once', {
    timeout: 300_000,
  }, async () => {
    const expected = lastCycleCandidates();
    const passing = expected.filter((c) => c.veto === null);
    expect(passing.length).toBeGreaterThan(0);

    const stack = opened();
    const startSignals = () => stack.start({ SIGNALS_CYCLE_GRACE_MS: YEARS });
    const { pipeline, candidates, decisions, publish } = stack;
    await killWithCycleOpen(stack, await startSignals());
    const lastBar = (c: SignalCandidate) => expected.some((e) => e.id === c.id);
    expect(candidates.filter((m) => lastBar(m.payload))).toEqual([]);
    const [candidatesBefore, decisionsBefore] = [candidates.length, decisions.length];

    await startSignals();
    await publish([lastEth]);
    await waitFor(
      () => decisions.filter((d) => lastBar(d.payload.candidate)).length >= passing.length,
      'the decisions of the cycle open at the kill',
      { timeoutMs: 30_000 },
    );
    await pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
    // BTC's candidates come back from the kept row, ETH's vector is read with its primed history (ADR 20):
    // the cycle is ranked as an uninterrupted run ranks it.
    expect(candidates.slice(candidatesBefore).map((m) => m.payload)).toEqual(expected);
    expect(decisions.slice(decisionsBefore).map((d) => d.payload.candidate.id)).toEqual(
      passing.map((c) => c.id),
    );
    expect(await keptVectors(stack)).toEqual([]);
  });
});

describe(`signals: a cycle open when the process is killed is not traded when the restart comes past the vector age limit (${RECORDED_FILE})`, () => {
  const opened = processStackPerDescribe('signals_crash_late', UNIVERSE);

  it('publishes the kept candidates vetoed stale_data, decides none, and forgets the kept vector', {
    timeout: 300_000,
  }, async () => {
    const btcIds = lastCycleCandidates()
      .filter((c) => c.symbol === 'BTC-USDT')
      .map((c) => c.id);
    expect(btcIds.length).toBeGreaterThan(0);
    const stack = opened();
    const { pipeline, candidates, decisions } = stack;
    await killWithCycleOpen(stack, await stack.start({ SIGNALS_CYCLE_GRACE_MS: YEARS }));
    const [candidatesBefore, decisionsBefore] = [candidates.length, decisions.length];
    // Restarted with the default vector age limit (60 s): the recorded bar closed years ago, the default
    // grace (30 s) is long past, so the restored cycle is ranked at the first deadline check.
    await stack.start({ SIGNALS_MAX_VECTOR_AGE_MS: '60000' });
    await waitFor(
      () => candidates.length - candidatesBefore >= btcIds.length,
      'the candidates of the cycle open at the kill',
      { timeoutMs: 30_000 },
    );
    await pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
    const published = candidates.slice(candidatesBefore).map((m) => m.payload);
    expect(published.map((c) => c.id).sort()).toEqual([...btcIds].sort());
    expect(published.map((c) => c.veto?.reason)).toEqual(btcIds.map(() => 'stale_data'));
    expect(decisions.slice(decisionsBefore)).toEqual([]);
    expect(await keptVectors(stack)).toEqual([]);
  });
});
