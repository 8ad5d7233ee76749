import type { PositionSide } from '@ballast/contracts';
import { bookTouch, type EntryBook, isNoBook } from './entry-book';
import type { RiskLimits } from './risk-limits';
import { ALLOW, deny, type Verdict } from './verdict';

/**
 * A signal decided more than `maxSignalAgeMs` before `now` (its sig.decision's event time, on risk's
 * clock): a backlog delivered after an outage is not the market now. Limit and value in ms.
 */
export function checkSignalAge(signalTime: number, now: number, limits: RiskLimits): Verdict {
  const age = now - signalTime;
  if (age <= limits.maxSignalAgeMs) return ALLOW;
  return deny(
    'stale_signal',
    limits.maxSignalAgeMs,
    age,
    `the signal was decided ${age} ms ago, more than ${limits.maxSignalAgeMs} ms`,
  );
}

/**
 * An entry priced more than `maxEntryGapBps` from the touch it would take (a long buys at the best ask,
 * a short sells at the best bid): it is sized at its own price and filled at the market's, so its
 * notional and its loss at the stop would not be what the limits allowed. Limit and value in basis
 * points of the touch. Without a book, or with nothing on that side, there is nothing to compare: the
 * sizing denies it `liquidity`, saying why.
 */
export function checkEntryNearBook(
  entry: { exchange: string; symbol: string; side: PositionSide; book: EntryBook },
  price: number,
  limits: RiskLimits,
): Verdict {
  if (isNoBook(entry.book)) return ALLOW;
  const long = entry.side === 'long';
  const { bestAsk, bestBid } = bookTouch(entry.book);
  const touch = long ? bestAsk : bestBid;
  if (touch === undefined) return ALLOW;
  const gapBps = (Math.abs(price - touch) / touch) * 10_000;
  if (gapBps <= limits.maxEntryGapBps) return ALLOW;
  return deny(
    'entry_off_market',
    limits.maxEntryGapBps,
    gapBps,
    `${entry.exchange}:${entry.symbol} ${entry.side} entry ${price} is ${gapBps.toFixed(1)} bps from the ` +
      `best ${long ? 'ask' : 'bid'} ${touch} (at most ${limits.maxEntryGapBps}): sized at its price, it would fill at the market's`,
  );
}
