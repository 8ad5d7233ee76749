import type { TimestamptzWithDefault } from '../column-types';

/** Short lessons a reflector drew from a closed position or a rejected candidate, fed to later prompts. */
export interface AgentLessonsTable {
  id: string;
  symbol: string;
  setup: string;
  lesson: string;
  /** What produced it: the reflector's provider, or `rules`. */
  source: string;
  correlation_id: string;
  created_at: TimestamptzWithDefault;
}

export const tableName = 'agent_lessons';

export type PartialDB = { [tableName]: AgentLessonsTable };
