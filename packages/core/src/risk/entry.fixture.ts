import type { BookLevel } from '@ballast/contracts';
import type { EntryCandidate } from './evaluate-entry';
import { DEFAULT_EXIT_COSTS } from './loss-at-stop';
import { binanceSpotRules } from './real-market.fixture';
import type { PendingEntry } from './risk-state';

// Test support only (not exported from the package): entries as the risk rules see them.

/** Real Binance spot filters: SOLUSDT tick 0.01, step 0.01, minNotional 10; BTCUSDT tick 0.01, step 0.00001. */
export const spotRules = binanceSpotRules(['SOLUSDT', 'BTCUSDT']);
export const NOW = Date.UTC(2022, 0, 10, 12);
/** A thousand on each side at 100: deep enough that liquidity never cuts a size. */
export const deepBook = { bids: [[100, 1_000]] as BookLevel[], asks: [[100, 1_000]] as BookLevel[] };

/** The strategy of the fixtures' entries, positions and reservations. */
export const STRATEGY = 'trend';

/**
 * A SOL-USDT long at 100, stop 90, target 120, of strategy trend, in a trending market nobody shrank,
 * at the live costs (10 bps taker fee, stop-limit 50 bps below the stop). Stopped out, a unit loses
 * 100 − 89.55 (90 × 0.995 on the tick) + 0.1 % of 100 and of 89.55 = 10.63955.
 */
export const solCandidate = (over: Partial<EntryCandidate> = {}): EntryCandidate => ({
  strategy: STRATEGY,
  exchange: 'binance',
  symbol: 'SOL-USDT',
  side: 'long',
  entry: 100,
  stop: 90,
  takeProfits: [120],
  regime: 'trending',
  volatilityScale: 1,
  sizeMultiplier: 1,
  signalTime: NOW,
  book: deepBook,
  rules: spotRules.SOLUSDT!,
  costs: DEFAULT_EXIT_COSTS,
  ...over,
});

/** An approved long of 10 at 100 with its stop at 90, of strategy trend, reserved until five minutes after NOW. */
export const pendingEntry = (
  intentId: string,
  over: Partial<PendingEntry> = {},
): Omit<PendingEntry, 'settled'> => ({
  intentId,
  strategy: STRATEGY,
  exchange: 'binance',
  symbol: 'SOL-USDT',
  side: 'long',
  qty: 10,
  entry: 100,
  stop: 90,
  expiresAt: NOW + 300_000,
  ...over,
});
