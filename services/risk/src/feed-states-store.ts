import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';

/**
 * Each market's latest feed status risk applied, by `exchange:symbol`: whether it is stale (any state
 * but live) and the event time of the status that said so. Market-data publishes a status only when it
 * changes, so after a restart the last one heard is the only word on a market; the time keeps a status
 * delivered again (a failed write, a restart) from undoing a later one.
 */
export const FeedStates = z.record(z.string().min(1), z.object({ stale: z.boolean(), at: z.number() }));
export type FeedStates = z.infer<typeof FeedStates>;

/** The bot_state key of the feed states risk keeps for a venue account. */
export const feedStatesKey = (venue: string): string => `risk-feeds:${venue}`;

/**
 * Risk's feed states as it persists them, one bot_state row per venue account; none before the first
 * save (no market is stale until market-data says so).
 */
export class FeedStatesStore extends BotStateValue<FeedStates> {
  constructor(state: BotStateRepository, venue: string) {
    super(state, feedStatesKey(venue), FeedStates, {});
  }
}
