import type { VenueTrade } from './recon-snapshot';

/**
 * Whether a venue trade is the account's past rather than a fill we missed (RECON_SKIP_TRADE_HISTORY):
 * a trade of a market not read before (no cursor yet) from before the venue's first run. A market read
 * from that first run on has a cursor, so its later trades are all counted; one first traded after it
 * has no history, so none of its trades is thrown away.
 */
export function isTradeHistory(
  trade: Pick<VenueTrade, 'symbol' | 'time'>,
  cursors: Readonly<Record<string, string | null>>,
  historyBefore: number,
): boolean {
  return !(trade.symbol in cursors) && trade.time < historyBefore;
}
