import type * as agentCalls from './tables/agent-calls';
import type * as agentLessons from './tables/agent-lessons';
import type * as botState from './tables/bot-state';
import type * as candles from './tables/candles';
import type * as eventJournal from './tables/event-journal';

/** The one schema type: every table's file contributes its PartialDB here. */
export type Database = candles.PartialDB & botState.PartialDB & eventJournal.PartialDB &
  agentCalls.PartialDB &
  agentLessons.PartialDB;
