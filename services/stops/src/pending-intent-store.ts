import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';
import { PendingIntent } from './pending-intents';

/** Where the pending intents survive a restart: a decision acked before it is never read again. */
export interface PendingIntentStore {
  load(): Promise<PendingIntent[]>;
  save(pending: readonly PendingIntent[]): Promise<void>;
}

const PendingList = z.array(PendingIntent);

/** One bot_state entry per venue holds that venue's pending intents; none before the first save. */
export function botStatePendingIntents(state: BotStateRepository, venue: string): PendingIntentStore {
  return new BotStateValue(state, `stops.pending-intents.${venue}`, PendingList, []);
}
