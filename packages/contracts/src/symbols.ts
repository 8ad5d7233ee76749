/** `BTC/USDT`, `btcusdt` (with a known quote) or `BTC-USDT` → `BTC-USDT`. */
const KNOWN_QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USD', 'BTC', 'ETH', 'BNB', 'EUR'];

export function normaliseSymbol(raw: string): string {
  const upper = raw.trim().toUpperCase();
  const split = upper.split(/[/\-_:]/);
  if (split.length >= 2 && split[0] && split[1]) return `${split[0]}-${split[1]}`;
  const quote = KNOWN_QUOTES.find((q) => upper.endsWith(q) && upper.length > q.length);
  if (!quote) throw new Error(`cannot normalise symbol "${raw}": no separator and no known quote asset`);
  return `${upper.slice(0, -quote.length)}-${quote}`;
}

/** A market's two assets: the one traded (base) and the one it is priced and paid in (quote). */
export type SymbolAssets = { base: string; quote: string };

/**
 * `BTC-USDT` → `{ base: 'BTC', quote: 'USDT' }`. A symbol without '-' is not normalised (SymbolId refuses
 * it at every boundary); it reads as all base with an empty quote, as the splits this replaced read it,
 * so a caller with a default quote asset gives it with `||`.
 */
export function symbolAssets(symbol: string): SymbolAssets {
  const [base = '', quote = ''] = symbol.split('-');
  return { base, quote };
}

/** `BTC-USDT` → `BTC/USDT` (ccxt's unified form). */
export function toCcxtSymbol(symbol: string): string {
  return symbol.replace('-', '/');
}

/** `BTC-USDT` → `BTCUSDT` (Binance/Bybit native form). */
export function toVenueSymbol(symbol: string): string {
  return symbol.replace('-', '');
}
