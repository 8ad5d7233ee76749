import { z } from 'zod';
import { ExchangeId } from './primitives';

export const KillCommand = z.object({
  flatten: z.boolean(),
  reason: z.string().min(1).max(500),
  requestedBy: z.string().min(1),
});
export type KillCommand = z.infer<typeof KillCommand>;

export const ResumeCommand = z.object({
  confirm: z.literal(true),
  reason: z.string().max(500),
  requestedBy: z.string().min(1),
  /**
   * Also lift risk's drawdown halt, the current equity becoming the new peak (`ballast resume
   * --clear-drawdown`). Absent or false: the halt stays, so lifting a kill does not reset the peak.
   */
  clearDrawdown: z.boolean().optional(),
});
export type ResumeCommand = z.infer<typeof ResumeCommand>;

/** A resume as every surface (CLI, gateway, Telegram) publishes it: `clearDrawdown` only when asked. */
export function resumeCommand(r: {
  reason: string;
  requestedBy: string;
  clearDrawdown?: boolean | undefined;
}): ResumeCommand {
  return {
    confirm: true,
    reason: r.reason,
    requestedBy: r.requestedBy,
    ...(r.clearDrawdown ? { clearDrawdown: true } : {}),
  };
}

export const ControlAck = z.object({
  service: z.string().min(1),
  command: z.enum(['kill', 'resume']),
  commandId: z.string().min(1),
  engaged: z.boolean(),
  detail: z.string(),
  /**
   * What a kill's flatten came to, from the service that closes positions (orders): true every
   * position was verified flat, false one is not flat or could not be verified (`detail` names it).
   * Null or absent: no flatten asked, a service that closes none, or a producer that does not say.
   */
  flat: z.boolean().nullable().optional(),
  /**
   * The trading account of the service that answers (one risk, orders and stops per venue on one bus):
   * a flatten reported by another venue's orders service says nothing of this venue's positions.
   * Absent from an older publisher: read as the answer of every venue's.
   */
  exchange: ExchangeId.optional(),
});
export type ControlAck = z.infer<typeof ControlAck>;

export const ReconEvent = z.object({
  venue: ExchangeId,
  kind: z.enum([
    'clean',
    'unknown',
    'missing_fill',
    'unknown_order',
    'orphan_stop',
    'order_state',
    'position_qty',
    'position_unexplained',
    'missing_stop',
    'balance',
  ]),
  before: z.unknown(),
  after: z.unknown(),
  evidence: z.string(),
});
export type ReconEvent = z.infer<typeof ReconEvent>;

/** `before` of a `missing_stop` recon.event: the position whose stop the stop manager re-places. */
export const MissingStopEvidence = z.object({
  positionId: z.string().min(1),
  clientOrderId: z.string().nullable(),
  /**
   * `not_resting`: the record's stop is not open on the venue; `unrecorded`: no stop record names the
   * position; `short`: its stop rests for less than the position. Absent from older events: not_resting.
   */
  coverage: z.enum(['not_resting', 'unrecorded', 'short']).optional(),
  /** The position's size in reconciliation's books, for `unrecorded` and `short`. */
  positionQty: z.number().nonnegative().optional(),
});
export type MissingStopEvidence = z.infer<typeof MissingStopEvidence>;

/**
 * Whether a venue's books agree with ours: `unreconciled` until the first clean run and while drift
 * is unresolved, `unknown` while the venue cannot be read. Only `reconciled` admits new entries.
 */
export const ReconStatus = z.object({
  venue: ExchangeId,
  status: z.enum(['reconciled', 'unreconciled', 'unknown']),
  /** Drifts found by the run that set this status. */
  drifts: z.number().int().nonnegative(),
  /** Clock time of the last clean run; null before the first. */
  lastCleanAt: z.number().int().nonnegative().nullable(),
  detail: z.string(),
});
export type ReconStatus = z.infer<typeof ReconStatus>;

/** Asks the reconciliation service for a run now (every venue when `venue` is null). */
export const ReconRequest = z.object({ venue: ExchangeId.nullable(), requestedBy: z.string().min(1) });
export type ReconRequest = z.infer<typeof ReconRequest>;

export const Alert = z.object({
  severity: z.enum(['info', 'warning', 'critical']),
  kind: z.string().min(1),
  message: z.string().min(1),
  labels: z.record(z.string(), z.string()),
});
export type Alert = z.infer<typeof Alert>;

/** What lands on dlq.<subject>: the raw message and why it was refused. */
export const DeadLetter = z.object({
  subject: z.string().min(1),
  error: z.string(),
  raw: z.string(),
  consumer: z.string().nullable(),
  deliveries: z.number().int().nonnegative(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Reply of the control state request: is the kill switch engaged, and why. */
export const ControlStateRequest = z.object({});
export const ControlState = z.object({
  engaged: z.boolean(),
  reason: z.string().nullable(),
  since: z.number().int().nullable(),
});
export type ControlState = z.infer<typeof ControlState>;
