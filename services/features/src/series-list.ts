import { ExchangeId, SymbolId, Timeframe } from '@ballast/contracts';
import type { SeriesKey } from '@ballast/db';
import { z } from 'zod';

const Series = z
  .string()
  .transform((text) => text.trim().split(':'))
  .pipe(z.tuple([ExchangeId, SymbolId, Timeframe]))
  .transform(([exchange, symbol, timeframe]): SeriesKey => ({ exchange, symbol, timeframe }));

/** `binance:BTC-USDT:1h,binance:ETH-USDT:1h` → series keys; each entry validated. */
export const SeriesList = z
  .string()
  .default('')
  .transform((text) => text.split(',').filter((s) => s.trim() !== ''))
  .pipe(z.array(Series));
