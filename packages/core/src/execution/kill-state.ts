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
   * When that command was given (its envelope's event time, never later than when it was applied): a
   * resume given before the kill in force is out of date. Null when no command set the state, or it was
   * stored before this was kept.
   */
  commandAt: z.number().int().nullable().default(null),
  /** The id of the latest kill applied, kept after a resume lifts it: that kill delivered again is old. */
  lastKillId: z.string().nullable().default(null),
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
  lastKillId: null,
};

/** A kill or resume as a service receives it: the envelope's id and event time, and a kill's payload. */
export type ControlCommand =
  | { kind: 'kill'; id: string; at: number; kill: { flatten: boolean; reason: string; requestedBy: string } }
  | { kind: 'resume'; id: string; at: number };

/**
 * What a kill or resume does to the switch. Kill and resume travel on separate consumers, so a resume
 * sent before a kill can arrive after it (a restart in between, a retried delivery).
 * - A kill always engages (stopping is the safe side), except the very kill a resume applied since has
 *   lifted, delivered again. One given before the kill in force is carried out and leaves it in force. It never depends on another host's clock: a resume stamped by a clock
 *   running ahead cannot keep a kill from engaging.
 * - A resume lifts the switch unless it was given before the kill in force (event times, a kill winning
 *   a tie). A command stamped later than `now` counts as given `now`, so a sender's fast clock cannot
 *   date a kill past the resumes that follow it.
 * The command in force applies again when redelivered, so a service finishes what a delivery cut short.
 * `now` is when the service applies it (`since` of a kill).
 */
export function applyControl(
  state: KillState,
  command: ControlCommand,
  now: number,
): { applied: boolean; state: KillState } {
  const at = Math.min(command.at, now);
  if (command.kind === 'kill') {
    if (!state.engaged && state.lastKillId === command.id) return { applied: false, state };
    // One given before the kill in force (delivered late) is carried out, its flatten included, but the
    // later kill stays in force: dated back to it, the switch was lifted by a resume given between them.
    if (state.engaged && state.commandAt !== null && at < state.commandAt && state.commandId !== command.id)
      return { applied: true, state };
    const since = state.engaged && state.commandId === command.id ? (state.since ?? now) : now;
    const next = { engaged: true, ...command.kill, since, commandId: command.id, commandAt: at };
    return { applied: true, state: { ...next, lastKillId: command.id } };
  }
  if (state.engaged && state.commandAt !== null && at <= state.commandAt) return { applied: false, state };
  return {
    applied: true,
    state: { ...KILL_RELEASED, commandId: command.id, commandAt: at, lastKillId: state.lastKillId },
  };
}
