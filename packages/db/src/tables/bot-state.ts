import type { Jsonb, Timestamptz } from '../column-types';

/** Small named pieces of bot state that must survive a restart (kill switch, cursors, counters). */
export interface BotStateTable {
  key: string;
  value: Jsonb;
  updated_at: Timestamptz;
}

export const tableName = 'bot_state';

export type PartialDB = { [tableName]: BotStateTable };
