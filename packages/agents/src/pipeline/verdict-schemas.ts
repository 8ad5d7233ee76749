import { AnalystVerdict, REVIEW_REASONS, ReviewVerdict } from '@ballast/contracts';
import { z } from 'zod';
import type { JsonSchema } from '../provider';
import { cutText } from '../providers/storable-text';

/** JSON schemas sent to the models, generated from the contracts so the two cannot drift apart. */
export const ANALYST_JSON_SCHEMA: JsonSchema = withoutMeta(z.toJSONSchema(AnalystVerdict));
export const REVIEW_JSON_SCHEMA: JsonSchema = withoutMeta(z.toJSONSchema(ReviewVerdict));

export function parseAnalystVerdict(value: unknown): AnalystVerdict {
  return AnalystVerdict.parse(value);
}

/**
 * The reviewer may only shrink a position. Decision: a multiplier above 1 is clamped to 1, not
 * rejected: "1.7" reads as "take it at full size", which is harmless once clamped, while throwing the
 * whole review away would discard a valid approve/reject judgement. Negative, NaN or non-numeric
 * multipliers are rejected (an invalid reply). `decideWithAgents` clamps again, whatever it is handed.
 */
const ReviewReply = ReviewVerdict.extend({ sizeMultiplier: z.number().min(0) });

export function parseReviewVerdict(value: unknown): ReviewVerdict {
  const reply = ReviewReply.parse(value);
  return ReviewVerdict.parse({ ...reply, sizeMultiplier: shrinkOnly(reply.sizeMultiplier) });
}

/** The first reason of a veto kept from an invalid reply. */
export const VETO_KEPT = 'invalid_reply: veto kept from a reply that failed the schema';

/**
 * A reply that failed the review schema but plainly says `approve: false` is still a veto, and a veto
 * is always safe to honour: falling back to the rules could approve what the model rejected. Its
 * string reasons are kept within the schema's bounds (the first ones, each cut short); anything else
 * (an approval, or no `approve: false`) keeps nothing.
 */
export function salvageReviewVeto(value: unknown): ReviewVerdict | undefined {
  if (typeof value !== 'object' || value === null || !('approve' in value) || value.approve !== false)
    return undefined;
  const given = 'reasons' in value && Array.isArray(value.reasons) ? value.reasons : [];
  const reasons = given
    .filter((r): r is string => typeof r === 'string')
    .slice(0, REVIEW_REASONS.max - 1)
    .map((r) => cutText(r, REVIEW_REASONS.maxChars));
  const veto = { approve: false, sizeMultiplier: 0, reasons: [VETO_KEPT, ...reasons] };
  return ReviewVerdict.safeParse(veto).data;
}

/** min(1, x), floored at 0: the one place the "only shrink" rule is written. */
export function shrinkOnly(multiplier: number): number {
  if (!Number.isFinite(multiplier)) return 0;
  return Math.min(1, Math.max(0, multiplier));
}

function withoutMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
