import { roundDownToStep } from '../risk/precision';

/** A stop as the venue answered a read or a cancel of it. */
export interface AnsweredStop {
  status: 'open' | 'triggered' | 'cancelled' | 'rejected';
  qty: number;
  /** What it filled, where the venue says; a triggered stop that does not say is read as filled in full. */
  filledQty?: number;
}

/**
 * What a stop sold, by the venue's answer: a cancel can find it triggered and filled meanwhile (Binance
 * answers a cancel of a filled stop with the order), or cancelled after part of it filled. Nothing
 * when the venue no longer knows it.
 */
export function stopFilled(stop: AnsweredStop | undefined): number {
  if (!stop) return 0;
  return stop.filledQty ?? (stop.status === 'triggered' ? stop.qty : 0);
}

/**
 * What of a position of `qty` is left to close once its stop sold `filled`, in whole lots: 0 when the
 * stop sold it all (or all but dust no order can sell). A stop smaller than the position (it grew, and
 * the stop was not moved onto it yet) leaves the difference, unprotected unless it is closed.
 */
export function restAfterStop(qty: number, filled: number, stepSize: number): number {
  return roundDownToStep(Math.max(0, qty - filled), stepSize);
}

/** A position closing by the venue's execution of its stop: its size as last read, and what it keeps once the fill is booked. */
export interface ExecutedByVenue {
  qty: number;
  keeps: number;
}

/**
 * Reads a position event of `qty` while the venue's execution of the stop waits to be booked. A growth
 * (an add booked late; not one of the position's own closes, whose events can be read late) adds to
 * what the position keeps once the fill is booked. A size at or under that, of a lot or more, says the
 * fill is booked and that much is left: it is to be closed, not waited on. A size above it is the fill
 * not booked yet (or only some of its trades): waiting goes on.
 */
export function executedPositionRead(
  held: ExecutedByVenue,
  qty: number,
  ownClose: boolean,
  stepSize: number,
): { keeps: number; booked: boolean } {
  const grown = !ownClose && qty > held.qty + 1e-12 ? qty - held.qty : 0;
  const keeps = held.keeps + grown;
  return { keeps, booked: grown === 0 && qty >= stepSize && qty <= keeps + stepSize / 2 };
}
