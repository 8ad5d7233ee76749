/** Why a bus operation failed: one closed set, so callers branch on `reason`, never on text. */
export const BUS_ERROR_REASONS = [
  /** A payload failed its family's schema; nothing was published. */
  'invalid_payload',
  /** Envelope metadata (id, type, version, times) failed validation; nothing was published. */
  'invalid_envelope',
  /** A request failed the endpoint's request schema (locally or at the server). */
  'invalid_request',
  /** A reply failed the endpoint's response schema (locally or at the server). */
  'invalid_response',
  /** The serving handler threw. */
  'remote_error',
  /** Nobody serves the endpoint. */
  'no_responders',
  /** A server exists but did not answer in time. */
  'request_timeout',
  /** A durable already exists with another filter. */
  'consumer_conflict',
  /** The bus was drained. */
  'closed',
  /** The transport refused or failed (no stream, connection lost). */
  'transport',
  /** In memory: a handler ran past its deadline, so the run waiting for the bus to be idle fails. */
  'stuck_handler',
] as const;
export type BusErrorReason = (typeof BUS_ERROR_REASONS)[number];

export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly reason: BusErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isBusError(err: unknown, reason?: BusErrorReason): err is BusError {
  return err instanceof BusError && (reason === undefined || err.reason === reason);
}
