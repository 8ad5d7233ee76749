import {
  type Clock,
  type Envelope,
  type FeatureVector,
  pattern,
  STREAMS,
  type SubjectPattern,
  Subjects,
  TIMEFRAME_MS,
  Timeframe,
} from '@ballast/contracts';
import type { SignalEngine } from '@ballast/core';
import type { Logger } from '@ballast/service-kit';

/** Where the vectors features published before this run are read back (a NatsBus: the FEAT stream). */
export interface RetainedVectors {
  retained(
    on: SubjectPattern<FeatureVector>,
    since: (subject: string) => number | undefined,
  ): Promise<Envelope<FeatureVector>[]>;
}

const FEAT_RETENTION_MS = STREAMS.find((s) => s.name === Subjects.features.stream)?.maxAgeMs ?? 0;

/**
 * Primes the engine's history of every series with the vectors the stream still holds from before this
 * run, so a restart does not leave the strategies blind to the bars before the next one (see
 * docs/adr/0019). A series whose history reaches past the stream's retention (a 1d series' ten bars) is
 * primed with what is left, and said so (`history_short`): its strategies read fewer bars than before.
 */
export async function primeHistory(
  engine: SignalEngine,
  source: RetainedVectors,
  clock: Clock,
  log: Logger,
): Promise<void> {
  const now = clock.now();
  const reach = (timeframe: Timeframe) => (engine.historyLength + 1) * TIMEFRAME_MS[timeframe];
  const envelopes = await source.retained(pattern(Subjects.features), (subject) => {
    const timeframe = Timeframe.safeParse(subject.split('.').at(-1));
    return timeframe.success ? now - reach(timeframe.data) : undefined;
  });
  const vectors = envelopes.map((e) => e.payload);
  engine.prime(vectors);
  const series = countBySeries(vectors);
  for (const [key, { timeframe, count }] of series)
    if (count < engine.historyLength && reach(timeframe) > FEAT_RETENTION_MS)
      log.warn(
        { reason: 'history_short', series: key, vectors: count, wanted: engine.historyLength },
        'history of a series reaches past the stream retention: primed short, its strategies read fewer bars',
      );
  log.info({ vectors: vectors.length, series: series.size }, 'strategies history primed from the stream');
}

function countBySeries(
  vectors: readonly FeatureVector[],
): Map<string, { timeframe: Timeframe; count: number }> {
  const out = new Map<string, { timeframe: Timeframe; count: number }>();
  for (const v of vectors) {
    const key = `${v.exchange}|${v.symbol}|${v.timeframe}`;
    const seen = out.get(key) ?? { timeframe: v.timeframe, count: 0 };
    out.set(key, { timeframe: v.timeframe, count: seen.count + 1 });
  }
  return out;
}
