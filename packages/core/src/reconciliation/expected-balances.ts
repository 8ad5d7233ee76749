import { balancesAfterTrades } from './balance-drifts';
import type { VenueTrade } from './recon-snapshot';

/**
 * The balances a run expects: the last run's (`baseline`, read at `baselineAt`) moved by the trades
 * read since. A market read before has a cursor, and its trades are the ones after it. A market read
 * for the first time (no cursor) is read from its first trade, and the trades up to the baseline's
 * read are in the baseline already: counted again, they would flag a false difference (a false
 * `recon_balance_drop`). Only its trades after `baselineAt` count; with no `baselineAt` (a baseline
 * stored before it was kept) every trade counts, as before. Null: no baseline yet (a first run).
 */
export function expectedBalances(
  baseline: Readonly<Record<string, number>> | null,
  baselineAt: number | null,
  cursors: Readonly<Record<string, string | null>>,
  trades: readonly VenueTrade[],
): Record<string, number> | null {
  if (!baseline) return null;
  const since = trades.filter((t) => t.symbol in cursors || baselineAt === null || t.time > baselineAt);
  return balancesAfterTrades(baseline, since);
}
