import type { BookUpdate, Candle, Timeframe, Trade } from '@ballast/contracts';

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
  /** `request`: on a venue's refusal of a request of ours that it names (Bybit `req_id`), that request's id. */
  | { kind: 'rejected'; rejected: FrameRejectReason; detail: string; heard?: Heard; request?: string };

/**
 * A frame with nothing to publish that still proves a symbol's stream alive at the venue's event time
 * (an open kline, sent every second or two): with candles alone subscribed, the only frames for hours.
 */
export interface Heard {
  symbol: string;
  time: number;
  /**
   * The bar an open kline is forming: the venue has moved past every earlier bar, so one of them whose
   * closed kline never came (lost, or late) is overdue.
   */
  openBar?: { timeframe: Timeframe; openTime: number };
}

export function rejected(reason: FrameRejectReason, detail: string, heard?: Heard): FrameResult {
  return heard
    ? { kind: 'rejected', rejected: reason, detail, heard }
    : { kind: 'rejected', rejected: reason, detail };
}

const isTime = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * `heard` for a symbol at a venue's event time, when that time is one (else none); with the bar an open
 * kline is forming, when its open time is one.
 */
export function heardAt(
  symbol: string,
  time: number,
  openBar?: { timeframe: Timeframe; openTime: number },
): Heard | undefined {
  if (!isTime(time)) return undefined;
  return openBar && isTime(openBar.openTime) ? { symbol, time, openBar } : { symbol, time };
}
