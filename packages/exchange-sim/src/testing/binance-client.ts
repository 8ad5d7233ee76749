import ccxt from 'ccxt';
import type { ExchangeSim } from '../exchange-sim';
import type { SimAccount } from './binance-sim';

/**
 * A ccxt Binance client on the simulator's REST address: the venue's own view, as a test reads it
 * independently of our tables. No rate limit, and only spot markets (the simulator serves no others).
 */
export function binanceClient(
  sim: ExchangeSim,
  account: Pick<SimAccount, 'apiKey' | 'secret'>,
  options: { timeoutMs?: number } = {},
) {
  const ex = new ccxt.binance({
    apiKey: account.apiKey,
    secret: account.secret,
    enableRateLimit: false,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] } },
  });
  const api = ex.urls.api as Record<string, string>;
  for (const key of Object.keys(api)) api[key] = `${sim.restUrl}${new URL(api[key] as string).pathname}`;
  return ex;
}
