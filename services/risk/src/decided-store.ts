import { DenyReason, PositionSide } from '@ballast/contracts';
import type { DecidedIntent } from '@ballast/core';
import type { BotStateRepository } from '@ballast/db';
import { z } from 'zod';

/**
 * Where risk's decisions survive a restart: a redelivered signal gets its verdict again, and an approval
 * the orders service has not recorded yet keeps its room (see pendingAtStart).
 */
export interface DecidedStore {
  load(): Promise<DecidedIntent[]>;
  save(decided: readonly DecidedIntent[]): Promise<void>;
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
  released: z.boolean(),
});

const DecidedList = z.array(Decided);

/** One bot_state entry per venue holds the decisions risk remembers (those not expired yet). */
export function botStateDecided(state: BotStateRepository, venue: string): DecidedStore {
  const key = `risk.decided-intents.${venue}`;
  return {
    async load() {
      return (await state.get(key, DecidedList))?.value ?? [];
    },
    async save(decided) {
      await state.set(key, decided);
    },
  };
}
