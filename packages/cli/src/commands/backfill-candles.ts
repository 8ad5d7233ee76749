import { TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { CandleRepository, type DbHandle } from '@ballast/db';
import type { CandlePage } from '@ballast/exchange';

/** The REST side a backfill needs (CcxtRest satisfies it). */
export interface CandleSource {
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, until: number): Promise<CandlePage>;
}

export interface BackfillRequest {
  exchange: string;
  /** Normalised, e.g. `BTC-USDT`. */
  symbols: readonly string[];
  timeframe: Timeframe;
  /** Open times in [since, until], epoch ms. */
  since: number;
  until: number;
}

export interface BackfillProgress {
  symbol: string;
  done: number;
  total: number;
  fetched: number;
}

export interface BackfillSummary {
  symbol: string;
  fetched: number;
  stored: number;
  rejected: number;
  /** Candles of windows already fully stored, which were not fetched again. */
  skipped: number;
}

/** Candles per request window: one venue page, so progress moves with every call. */
const WINDOW = 1_000;

/**
 * Fetches closed candles window by window and upserts each window (idempotent: re-running stores the same
 * rows). A window whose every slot is already stored is not fetched: a second run asks the venue only for
 * the newest bars and for windows holding a gap (the venue's own outages are gaps it never fills).
 */
export async function backfillCandles(
  request: BackfillRequest,
  deps: { db: DbHandle['db']; source: CandleSource; onProgress?: (p: BackfillProgress) => void },
): Promise<BackfillSummary[]> {
  const repo = new CandleRepository(deps.db);
  const step = TIMEFRAME_MS[request.timeframe];
  const first = Math.ceil(request.since / step) * step;
  const total = Math.max(0, Math.floor((request.until - first) / step) + 1);
  const out: BackfillSummary[] = [];
  for (const symbol of request.symbols) {
    const summary: BackfillSummary = { symbol, fetched: 0, stored: 0, rejected: 0, skipped: 0 };
    const series = { exchange: request.exchange, symbol, timeframe: request.timeframe };
    for (let from = first; from <= request.until; from += WINDOW * step) {
      const to = Math.min(from + (WINDOW - 1) * step, request.until);
      const slots = Math.floor((to - from) / step) + 1;
      const held = await repo.countRange({ ...series, fromOpenTime: from, toOpenTime: to + 1 });
      if (held >= slots) summary.skipped += held;
      else {
        const page = await deps.source.fetchCandles(symbol, request.timeframe, from, to);
        summary.fetched += page.candles.length + page.rejected.length;
        summary.rejected += page.rejected.length;
        summary.stored += await repo.upsertMany(page.candles);
      }
      const done = Math.min(total, Math.floor((to - first) / step) + 1);
      deps.onProgress?.({ symbol, done, total, fetched: summary.fetched });
    }
    out.push(summary);
  }
  return out;
}
