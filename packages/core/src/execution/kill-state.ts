import { z } from 'zod';

/** The kill switch as each service persists it: engaged or not, why, by whom, and since when. */
export const KillState = z.object({
  engaged: z.boolean(),
  flatten: z.boolean(),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  since: z.number().int().nullable(),
  /** The control command that set this state; a redelivered command is acknowledged, not re-applied. */
  commandId: z.string().nullable(),
});
export type KillState = z.infer<typeof KillState>;

export const KILL_RELEASED: KillState = {
  engaged: false,
  flatten: false,
  reason: null,
  requestedBy: null,
  since: null,
  commandId: null,
};

export function engageKill(
  command: { flatten: boolean; reason: string; requestedBy: string },
  commandId: string,
  at: number,
): KillState {
  return { engaged: true, ...command, since: at, commandId };
}

export function releaseKill(commandId: string): KillState {
  return { ...KILL_RELEASED, commandId };
}
