import { derivedId } from '@ballast/contracts';

/**
 * A UUID-shaped id derived from the candle's key, so the same candle published twice (a backfill
 * racing a restart) is de-duplicated by the bus instead of reaching consumers twice.
 */
export function candleEnvelopeId(key: {
  exchange: string;
  symbol: string;
  timeframe: string;
  openTime: number;
}): string {
  const parts = [key.exchange, key.symbol, key.timeframe, key.openTime] as const;
  const hex = derivedId('candle', ...parts) + derivedId('candle-b', ...parts);
  // Version 8 (custom) and the RFC 4122 variant, so it is a valid UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
