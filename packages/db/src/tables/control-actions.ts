import type { Int8 } from '../column-types';

/** Every kill or resume asked of the gateway: who, when, what, and whether it went out on the bus. */
export interface ControlActionsTable {
  id: string;
  /** `kill` or `resume`. */
  action: string;
  actor: string;
  role: string;
  /** `published`, `refused` (wrong role) or `failed` (the bus did not take it). */
  outcome: string;
  flatten: boolean;
  reason: string;
  /** The envelope id of the published command; null when nothing was published. */
  command_id: string | null;
  remote_address: string;
  created_at: Int8;
}

export const tableName = 'control_actions';

export type PartialDB = { [tableName]: ControlActionsTable };
