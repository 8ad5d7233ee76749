import { z } from 'zod';

// zod 4 numbers already refuse NaN and ±Infinity; these names say what a field means.
export const Price = z.number().positive();
export const Size = z.number().nonnegative();
export const PositiveSize = z.number().positive();
export const Money = z.number();
export const EpochMs = z.number().int().nonnegative();
export const Ratio = z.number().min(0).max(1);
export const Confidence = z.number().min(0).max(100);

export const ExchangeId = z.string().regex(/^[a-z][a-z0-9]*$/, 'lower-case venue id, e.g. binance');
/** Normalised symbol: BASE-QUOTE in upper case, e.g. BTC-USDT. */
export const SymbolId = z.string().regex(/^[A-Z0-9]+-[A-Z0-9]+$/, 'normalised symbol, e.g. BTC-USDT');
export const Timeframe = z.enum(['1m', '5m', '15m', '1h', '4h', '1d']);
export type Timeframe = z.infer<typeof Timeframe>;

export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export const OrderSide = z.enum(['buy', 'sell']);
export type OrderSide = z.infer<typeof OrderSide>;
export const PositionSide = z.enum(['long', 'short']);
export type PositionSide = z.infer<typeof PositionSide>;
