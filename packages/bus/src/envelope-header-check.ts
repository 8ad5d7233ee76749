import type { EnvelopeHeader, SubjectFamily } from '@ballast/contracts';
import { z } from 'zod';

const UUID = z.regexes.uuid();

export const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/** EpochMs: a safe integer ≥ 0, as zod's `int().nonnegative()`. */
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The header zod's `EnvelopeHeader` would return for an envelope of `family` (exactly its keys, in its
 * order), checked by hand: every message published pays for it, and zod's object parse cost as much as
 * the payload's. Returns undefined for anything not certainly valid; the caller then asks zod, which
 * also writes the error. `hot-envelopes.test.ts` proves the verdicts equal on edited headers.
 */
export function checkedHeader(family: SubjectFamily<unknown>, envelope: object): EnvelopeHeader | undefined {
  const { id, type, version, eventTime, emittedAt, source, correlationId, causationId } = envelope as Record<
    string,
    unknown
  >;
  if (typeof id !== 'string' || !UUID.test(id)) return undefined;
  if (type !== family.type || version !== family.version || !isText(type)) return undefined;
  if (!Number.isSafeInteger(version) || (version as number) <= 0) return undefined;
  if (!isCount(eventTime) || !isCount(emittedAt) || !isText(source) || !isText(correlationId))
    return undefined;
  if (causationId !== null && !isText(causationId)) return undefined;
  return { id, type, version: version as number, eventTime, emittedAt, source, correlationId, causationId };
}
