import type { BookUpdate } from '@ballast/contracts';
import type { FrameResult } from './frame-result';
import { rejected } from './frame-result';
import { checkBookUpdate } from './payload-checks';
import { integer, isRecord, levels } from './wire-values';

/**
 * Binance `GET /api/v3/depth` body → a snapshot `BookUpdate`. The body carries no time, so the
 * caller passes when it was received.
 */
export function mapBinanceDepthSnapshot(body: unknown, symbol: string, receivedAt: number): FrameResult {
  if (!isRecord(body)) return rejected('schema_invalid', 'depth snapshot: not an object');
  const payload: BookUpdate = {
    exchange: 'binance',
    symbol,
    kind: 'snapshot',
    firstUpdateId: null,
    lastUpdateId: integer(body.lastUpdateId),
    bids: levels(body.bids),
    asks: levels(body.asks),
    time: receivedAt,
  };
  const issue = checkBookUpdate(payload);
  return issue
    ? rejected('schema_invalid', `depth snapshot ${symbol}: ${issue}`)
    : { kind: 'book', payload, sequence: null };
}
