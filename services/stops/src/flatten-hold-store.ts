import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';

/** A kill's flatten under way, as stored: the kill, the positions whose stops it holds, its deadlines. */
export const StoredHold = z.object({
  killId: z.string().min(1),
  until: z.number(),
  expiry: z.string(),
  positions: z.array(z.string()),
  unreportedAt: z.number().nullable(),
});
export type StoredHold = z.infer<typeof StoredHold>;

/**
 * Where the flatten hold survives a restart: a stops service started while the flatten runs must not
 * put back the stops the orders service cancelled for it (on spot they lock the coins it sells).
 */
export interface FlattenHoldStore {
  load(): Promise<StoredHold | null>;
  save(hold: StoredHold | null): Promise<void>;
}

const Kept = z.object({ hold: StoredHold.nullable() });

/** One bot_state entry per venue holds that venue's hold; null when none runs (or none was stored). */
export function botStateFlattenHold(state: BotStateRepository, venue: string): FlattenHoldStore {
  const value = new BotStateValue(state, `stops.flatten-hold.${venue}`, Kept, { hold: null });
  return {
    load: async () => (await value.load()).hold,
    save: (hold) => value.save({ hold }),
  };
}

/** A hold kept in memory, for a run that never restarts (the backtest). */
export function keptFlattenHold(): FlattenHoldStore {
  let kept: StoredHold | null = null;
  return {
    load: async () => kept,
    save: async (hold) => {
      kept = hold;
    },
  };
}
