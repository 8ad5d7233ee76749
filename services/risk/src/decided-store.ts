import { DenyReason, PositionSide } from '@ballast/contracts';
import { type DecidedIntent, MAX_DECIDED_INTENTS } from '@ballast/core';
import type { RiskDecidedRepository } from '@ballast/db';
import { z } from 'zod';

/**
 * Where risk's decisions survive a restart: a redelivered signal gets its verdict again, and an approval
 * the orders service has not recorded yet keeps its room (see pendingAtStart).
 */
export interface DecidedStore {
  /** The decisions not expired by `now`, oldest first. */
  load(now: number): Promise<DecidedIntent[]>;
  /** Writes the decisions new or changed since the last save and forgets those expired by `now`. */
  save(changed: readonly DecidedIntent[], now: number): Promise<void>;
}

/** A limit JSON cannot hold (an infinite one is stored as null) reads back as 0, as it was published. */
const Figure = z
  .number()
  .nullable()
  .transform((n) => n ?? 0);

const Approval = z.object({
  ok: z.literal(true),
  qty: z.number(),
  entry: z.number(),
  stop: z.number(),
  riskAmount: z.number(),
  notional: z.number(),
  scaledBy: z.number(),
  cappedBy: z.enum(['max_position', 'liquidity']).nullable(),
});

const Denial = z.object({
  ok: z.literal(false),
  reason: DenyReason,
  limit: Figure,
  value: Figure,
  detail: z.string(),
});

const Decided: z.ZodType<DecidedIntent, unknown> = z.object({
  intentId: z.string().min(1),
  candidate: z.object({ strategy: z.string(), exchange: z.string(), symbol: z.string(), side: PositionSide }),
  verdict: z.discriminatedUnion('ok', [Approval, Denial]),
  expiresAt: z.number(),
  // Kept since redeliveries are aged by it; rows stored before have none.
  signalTime: z.number().optional(),
  released: z.boolean(),
});

/**
 * One row per decision (risk_decided_intents): a decision writes its own row, so the cost of a write
 * does not grow with how many risk remembers (up to MAX_DECIDED_INTENTS within RISK_PENDING_TTL_MS).
 */
export function tableDecided(repository: RiskDecidedRepository, venue: string): DecidedStore {
  return {
    async load(now) {
      const rows = await repository.live(venue, now);
      return rows.slice(-MAX_DECIDED_INTENTS).map((row) => {
        const parsed = Decided.safeParse(row.decided);
        if (!parsed.success)
          throw new Error(
            `stored risk decision ${row.intentId} does not match its schema: ${parsed.error.message}`,
          );
        return parsed.data;
      });
    },
    async save(changed, now) {
      await repository.save(
        venue,
        changed.map((d) => ({ intentId: d.intentId, decided: d, expiresAt: d.expiresAt })),
        now,
      );
    },
  };
}
