import { sharedDataDir } from '@ballast/testkit';
import { type ExchangeSim, startExchangeSim } from '../exchange-sim';
import type { FeesIn } from '../matching-engine';

/** One Binance spot account on the simulator: its credentials, markets and starting balances. */
export interface SimAccount {
  readonly apiKey: string;
  readonly secret: string;
  readonly balances: Record<string, string>;
  /** Binance symbols to list; BTCUSDT when left out. */
  readonly symbols?: readonly string[];
  /** `received`: buys pay their fee in the base asset, as Binance without BNB; `quote` when left out. */
  readonly feesIn?: FeesIn;
}

/**
 * The simulator as integration tests use it: Binance only, over the recorded data in the shared
 * data dir, advancing only when a test steps it (so nothing moves between a test's reads). Without an
 * account it serves market data and rules only (for the paper broker, which never trades there).
 */
export function startBinanceSim(account?: SimAccount): Promise<ExchangeSim> {
  const options = { dataDir: sharedDataDir(), speed: { mode: 'step' as const }, bybit: false as const };
  if (!account) return startExchangeSim(options);
  return startExchangeSim({
    ...options,
    binance: {
      symbols: [...(account.symbols ?? ['BTCUSDT'])],
      apiKey: account.apiKey,
      apiSecret: account.secret,
      balances: account.balances,
      ...(account.feesIn ? { feesIn: account.feesIn } : {}),
    },
  });
}
