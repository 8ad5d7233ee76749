/** A take-profit's sales refused or unanswered in a row: how many, and when (injected clock) the last failed. */
export interface TakeProfitFailures {
  count: number;
  at: number;
}

/**
 * Whether a take-profit whose sales failed may be tried again now. Each try moves the stop twice (onto
 * what stays, back onto all of it): a refusal the venue repeats at every price (its minimum notional
 * judged at its average price, an outage) kept the stop moving, and on spot the position bare between
 * each cancel and place, at every trade. One refusal may pass: the next price tries again at once; after
 * two in a row, one try per `waitMs` after the last.
 */
export function takeProfitRetryDue(
  failures: TakeProfitFailures | undefined,
  now: number,
  waitMs: number,
): boolean {
  return failures === undefined || failures.count < 2 || now - failures.at >= waitMs;
}

/** The failures after one more. */
export function addTakeProfitFailure(
  failures: TakeProfitFailures | undefined,
  now: number,
): TakeProfitFailures {
  return { count: (failures?.count ?? 0) + 1, at: now };
}
