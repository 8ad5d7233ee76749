import type { FeedStatus } from '@ballast/contracts';

/**
 * The feed status a replay publishes for a market before its last recorded bar: no later bar exists to
 * fill an entry decided at that close, so risk is told the market is down (it denies entries
 * `stale_data`), as market-data tells it live when a market stops trading (ADR 5).
 */
export function endOfDataStatus(exchange: string, symbol: string, lastMessageTime: number): FeedStatus {
  return { exchange, symbol, state: 'down', reason: 'end_of_data', lastMessageTime };
}
