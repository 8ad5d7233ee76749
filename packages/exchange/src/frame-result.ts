import type { BookUpdate, Candle, Trade } from '@ballast/contracts';

/**
 * Why a frame produced no payload. One closed set, so counters and logs stay comparable across venues.
 * `ack`, `heartbeat` and `candle_not_closed` are expected control traffic, not errors (see `isErrorReason`).
 */
export const FRAME_REJECT_REASONS = [
  'malformed_json',
  'unknown_stream',
  'schema_invalid',
  'venue_error',
  'ack',
  'heartbeat',
  'candle_not_closed',
] as const;
export type FrameRejectReason = (typeof FRAME_REJECT_REASONS)[number];

const NOT_ERRORS: ReadonlySet<FrameRejectReason> = new Set(['ack', 'heartbeat', 'candle_not_closed']);

/** True for reasons that mean bad or unexpected input (count, log, alert), false for control frames. */
export function isErrorReason(reason: FrameRejectReason): boolean {
  return !NOT_ERRORS.has(reason);
}

export type FrameResult =
  | { kind: 'candle'; payload: Candle }
  | { kind: 'trade'; payload: Trade }
  /** `sequence`: the venue's cross sequence (Bybit `seq`), which the contract does not carry; null if none. */
  | { kind: 'book'; payload: BookUpdate; sequence: number | null }
  | { kind: 'rejected'; rejected: FrameRejectReason; detail: string };

export function rejected(reason: FrameRejectReason, detail: string): FrameResult {
  return { kind: 'rejected', rejected: reason, detail };
}
