import { once } from 'node:events';
import type { FeatureVector, SignalCandidate } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { defaultSignalEngine } from './testing/default-engine';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { processStackPerDescribe } from './testing/signals-process';

// Recorded BTC 1h bars (binance-spot-ohlcv/BTCUSDT-1h.csv.gz), each its own cycle.
const UNIVERSE = ['BTC-USDT'];
const { vectors } = recordedBtcVectors();

/** Twenty bars, and the next: the first bar, past a full history, at which the strategies propose. */
function stretchToFirstProposing(): {
  before: FeatureVector[];
  next: FeatureVector;
  expected: SignalCandidate[];
} {
  const uninterrupted = defaultSignalEngine(UNIVERSE);
  for (const [at, next] of vectors.entries()) {
    const expected = uninterrupted.onFeatures(next);
    if (at > 40 && expected.length > 0) return { before: vectors.slice(at - 20, at), next, expected };
  }
  throw new Error('no recorded bar proposes');
}

describe(`signals: the first bar after a restart proposes what it would have without the restart (${RECORDED_FILE})`, () => {
  const opened = processStackPerDescribe('signals_restart', UNIVERSE);

  it('primes the strategies with the bars features published before a SIGKILL, proposing nothing for them', {
    timeout: 300_000,
  }, async () => {
    const { before, next, expected } = stretchToFirstProposing();
    // Without the bars before it the same bar proposes nothing: the restart would lose these candidates.
    expect(defaultSignalEngine(UNIVERSE).onFeatures(next)).toEqual([]);
    const stack = opened();
    const { pipeline, candidates } = stack;

    const first = await stack.start();
    await stack.publish(before);
    await pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
    const proposedBefore = candidates.length;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    await stack.start();
    await stack.publish([next]);
    // Acknowledged only once its candidates are published.
    await pipeline.waitIdle({ streams: ['FEAT', 'SIG'], timeoutMs: 60_000 });
    // Priming proposed nothing again for the bars before the restart: only the next bar's candidates came.
    expect(candidates.slice(proposedBefore).map((m) => m.payload)).toEqual(expected);
  });
});
