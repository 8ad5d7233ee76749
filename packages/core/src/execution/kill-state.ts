import { z } from 'zod';

/** The kill switch as each service persists it: engaged or not, why, by whom, and since when. */
export const KillState = z.object({
  engaged: z.boolean(),
  flatten: z.boolean(),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  since: z.number().int().nullable(),
  /** The id of the control command that set this state. */
  commandId: z.string().nullable(),
  /**
   * When that command was given (its envelope's event time): a command given before it is out of date.
   * Null when no command set the state, or it was stored before this was kept.
   */
  commandAt: z.number().int().nullable().default(null),
});
export type KillState = z.infer<typeof KillState>;

export const KILL_RELEASED: KillState = {
  engaged: false,
  flatten: false,
  reason: null,
  requestedBy: null,
  since: null,
  commandId: null,
  commandAt: null,
};

/** A kill or resume as a service receives it: the envelope's id and event time, and a kill's payload. */
export type ControlCommand =
  | { kind: 'kill'; id: string; at: number; kill: { flatten: boolean; reason: string; requestedBy: string } }
  | { kind: 'resume'; id: string; at: number };

/**
 * What a kill or resume does to the switch. Kill and resume travel on separate consumers, so a resume
 * sent before a kill can arrive after it (a restart in between, a retried delivery): the command given
 * last is the one in force, and an older one leaves the switch as it is (`applied: false`). Commands are
 * ordered by event time (a kill first in a tie), then by id; the command in force applies again when redelivered, so a service
 * finishes what a delivery cut short. `now` is when the service applied it (`since` of a kill).
 */
export function applyControl(
  state: KillState,
  command: ControlCommand,
  now: number,
): { applied: boolean; state: KillState } {
  if (!givenSince(state, command)) return { applied: false, state };
  const next =
    command.kind === 'kill'
      ? { engaged: true, ...command.kill, since: now, commandId: command.id, commandAt: command.at }
      : { ...KILL_RELEASED, commandId: command.id, commandAt: command.at };
  return { applied: true, state: next };
}

/**
 * Whether `command` was given at or after the one that set `state`. Of a kill and a resume given in the
 * same millisecond the kill is the later: stopping is the safe side of a tie.
 */
function givenSince(state: KillState, command: ControlCommand): boolean {
  if (state.commandAt === null) return true;
  if (command.at !== state.commandAt) return command.at > state.commandAt;
  const engages = command.kind === 'kill';
  if (engages !== state.engaged) return engages;
  return command.id >= (state.commandId ?? '');
}
