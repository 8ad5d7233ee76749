/** A venue account's equity as risk last stored it. */
export interface StoredAccountEquity {
  venue: string;
  equity: number;
  /** When it was stored (epoch ms). */
  at: number;
}

/** A closed trade as it moves an account's equity. */
export interface AccountTrade {
  exchange: string;
  pnl: number;
  closeTime: number;
}

/**
 * The equity the paper period started with, for its returns and drawdown: each account's last stored
 * equity less the net pnl of every trade it closed from the start until that equity was stored (all
 * strategies': they share the account). Summed over the accounts given.
 */
export function equityAtStart(
  accounts: readonly StoredAccountEquity[],
  trades: readonly AccountTrade[],
  start: number,
): number {
  return accounts.reduce((sum, account) => {
    const since = trades.filter(
      (t) => t.exchange === account.venue && t.closeTime >= start && t.closeTime <= account.at,
    );
    return sum + account.equity - since.reduce((s, t) => s + t.pnl, 0);
  }, 0);
}
