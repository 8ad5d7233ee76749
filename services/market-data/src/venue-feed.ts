import { binanceSpotFeed, bybitLinearFeed, type VenueFeed } from '@ballast/exchange';
import type { MarketDataConfig } from './config';

/** The venue's stream adapter for SYMBOLS, pointed at WS_URL when set (a simulator). */
export function venueFeed(config: Pick<MarketDataConfig, 'VENUE' | 'WS_URL' | 'SYMBOLS'>): VenueFeed {
  const options = {
    symbols: config.SYMBOLS,
    ...(config.WS_URL ? { baseUrl: config.WS_URL.replace(/\/+$/, '') } : {}),
  };
  return config.VENUE === 'binance' ? binanceSpotFeed(options) : bybitLinearFeed(options);
}
