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
 * An entry priced more than `maxEntryGapBps` from where the market is (the book's mid; the touch it
 * would take when one side is empty): it is sized at its own price and filled at the market's, so its
 * notional and its loss at the stop would not be what the limits allowed. The mid, not the touch: the
 * spread (and a backtest's modelled slippage, which its candle book quotes as the spread) is what the
 * orders service's slippage guard judges, and would otherwise deny every entry on a wide market.
 * Limit and value in basis points of that price. Without a book there is nothing to compare: the
 * sizing denies it `liquidity`, saying why.
 */
export function checkEntryNearBook(
  entry: { exchange: string; symbol: string; side: PositionSide; book: EntryBook },
  price: number,
  limits: RiskLimits,
): Verdict {
  if (isNoBook(entry.book)) return ALLOW;
  const { bestAsk, bestBid } = bookTouch(entry.book);
  const market =
    bestAsk !== undefined && bestBid !== undefined
      ? (bestAsk + bestBid) / 2
      : entry.side === 'long'
        ? bestAsk
        : bestBid;
  if (market === undefined) return ALLOW;
  const gapBps = (Math.abs(price - market) / market) * 10_000;
  if (gapBps <= limits.maxEntryGapBps) return ALLOW;
  return deny(
    'entry_off_market',
    limits.maxEntryGapBps,
    gapBps,
    `${entry.exchange}:${entry.symbol} ${entry.side} entry ${price} is ${gapBps.toFixed(1)} bps from the ` +
      `market ${market} (at most ${limits.maxEntryGapBps}): sized at its price, it would fill at the market's`,
  );
}
