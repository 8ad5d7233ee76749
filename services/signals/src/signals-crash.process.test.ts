import { once } from 'node:events';
import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import { createDb } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { pairsUpToFirstPassing } from './testing/paired-vectors';
import { RECORDED_FILE } from './testing/recorded-vectors';
import { type SignalsProcessStack, signalsProcessStack, YEARS } from './testing/signals-process';

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

describe(`signals: a cycle open when the process is killed is ranked after the restart (${RECORDED_FILE})`, () => {
  let stack: SignalsProcessStack;

  beforeAll(async () => {
    stack = await signalsProcessStack('signals_crash', UNIVERSE);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const startSignals = () => stack.start({ SIGNALS_CYCLE_GRACE_MS: YEARS });

  it('publishes the candidates of the vector acknowledged before a SIGKILL once, and decides them once', {
    timeout: 300_000,
  }, async () => {
    const expected = lastCycleCandidates();
    const passing = expected.filter((c) => c.veto === null);
    expect(passing.length).toBeGreaterThan(0);

    const { pipeline, candidates, decisions, publish } = stack;
    const first = await startSignals();
    // Every bar up to the last, then only BTC's vector of it: its cycle waits for ETH.
    await publish(upToLast);
    // Acknowledged: no redelivery will bring the BTC vector back to the next process.
    await pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
    const lastBar = (c: SignalCandidate) => expected.some((e) => e.id === c.id);
    expect(candidates.filter((m) => lastBar(m.payload))).toEqual([]);
    const [candidatesBefore, decisionsBefore] = [candidates.length, decisions.length];
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(first.child.signalCode).toBe('SIGKILL');

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
    const handle = await createDb({ url: stack.testDb.url, poolSize: 1 });
    const kept = await handle.db.selectFrom('signal_waiting_vectors').select('symbol').execute();
    await handle.db.destroy();
    expect(kept).toEqual([]);
  });
});
