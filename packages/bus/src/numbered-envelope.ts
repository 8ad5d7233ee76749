import type { Envelope, SubjectFamily } from '@ballast/contracts';

let n = 0;

/**
 * For tests: a valid envelope of `family` around `payload`, each call with its own UUID, times and
 * trace ids; every other one has a cause, so both header shapes are exercised.
 */
export function numberedEnvelope<T>(family: SubjectFamily<T>, payload: T, source: string): Envelope<T> {
  n++;
  return {
    id: `0190a1b2-c3d4-7e5f-8a9b-${String(n).padStart(12, '0')}`,
    type: family.type,
    version: family.version,
    eventTime: 1_617_566_591_307 + n,
    emittedAt: 1_617_566_600_000,
    source,
    correlationId: `corr-${n}`,
    causationId: n % 2 === 0 ? null : `cause-${n}`,
    payload,
  };
}
