import type { Jsonb, Timestamptz } from '../column-types';

/**
 * The stop protecting one open position, so a restart knows what must be live on the venue.
 * `state` holds the stops service's record (stop price, qty, client order id, ladder, trail);
 * `status` is `active` while the position is open, `closed` once it is flat.
 */
export interface ProtectiveStopsTable {
  position_id: string;
  exchange: string;
  symbol: string;
  status: string;
  state: Jsonb;
  updated_at: Timestamptz;
}

export const tableName = 'protective_stops';

export type PartialDB = { [tableName]: ProtectiveStopsTable };
