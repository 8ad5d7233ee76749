import { describe, expect, it } from 'vitest';
import { StalenessMonitor } from './staleness-monitor';

describe('StalenessMonitor', () => {
  it('reports live → stale after the threshold and stale → live when updates resume', () => {
    const monitor = new StalenessMonitor(5_000);
    monitor.touch('binance|BTC-USDT|book', 1_000);
    monitor.touch('binance|ETH-USDT|book', 1_000);
    expect(monitor.check(6_000)).toEqual([]);
    monitor.touch('binance|ETH-USDT|book', 5_500);
    expect(monitor.check(6_001)).toEqual([
      { key: 'binance|BTC-USDT|book', from: 'live', to: 'stale', lastUpdate: 1_000 },
    ]);
    expect(monitor.check(7_000)).toEqual([]);
    monitor.touch('binance|BTC-USDT|book', 7_500);
    expect(monitor.check(8_000)).toEqual([
      { key: 'binance|BTC-USDT|book', from: 'stale', to: 'live', lastUpdate: 7_500 },
    ]);
    expect(monitor.stateOf('binance|BTC-USDT|book')).toBe('live');
  });

  it('forgets keys it no longer watches', () => {
    const monitor = new StalenessMonitor(1_000);
    monitor.touch('bybit|SOL-USDT|trade', 0);
    monitor.forget('bybit|SOL-USDT|trade');
    expect(monitor.check(10_000)).toEqual([]);
  });
});
