import type { Bus } from '@ballast/bus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FeedStatusReporter } from './feed-status-reporter';
import { MarketDataMetrics } from './metrics';
import { metricValue } from './testing/harness';

/** A reporter (threshold 1 s, down after 60 s) wired to the stale gauge as the service wires it. */
function staleWatch() {
  const registry = new Registry();
  const clock = { now: 0 };
  const metrics = new MarketDataMetrics(registry, { now: () => clock.now });
  const published: string[] = [];
  const bus = {
    publish: async (_s: unknown, p: { symbol: string | null; state: string }) =>
      void (p.symbol && published.push(p.state)),
  };
  const reporter = new FeedStatusReporter({
    bus: bus as unknown as Bus,
    venue: 'binance',
    symbols: ['BTC-USDT'],
    clock: { now: () => clock.now },
    log: { info() {}, error() {} },
    staleAfterMs: 1_000,
    downAfterMs: 60_000,
    onStaleness: (symbol, stale) => metrics.markStale('binance', symbol, stale),
  });
  const gauge = () => metricValue(registry, 'ballast_md_symbol_stale', { symbol: 'BTC-USDT' });
  return { reporter, gauge, clock, published };
}

describe('MarketDataMetrics', () => {
  it('declares reconnect reasons, gap kinds per symbol and every REST failure reason at 0 so rates exist before the first event', async () => {
    const registry = new Registry();
    new MarketDataMetrics(registry, { now: () => 0 }).declareVenue('binance', ['BTC-USDT', 'ETH-USDT']);
    const text = await registry.metrics();
    expect(text).toContain('ballast_md_ws_reconnects_total{venue="binance",reason="heartbeat"} 0');
    expect(text).toContain('ballast_md_gaps_total{venue="binance",symbol="BTC-USDT",kind="candle"} 0');
    expect(text).toContain('ballast_md_gaps_total{venue="binance",symbol="ETH-USDT",kind="depth"} 0');
    expect(text).toContain('ballast_md_backfill_failures_total{venue="binance",reason="store_or_publish"} 0');
    // A venue's refusal (a bad symbol, a bad parameter) and a snapshot without an update id too.
    expect(text).toContain('ballast_md_backfill_failures_total{venue="binance",reason="exchange"} 0');
    expect(text).toContain('ballast_md_depth_snapshot_failures_total{venue="binance",reason="exchange"} 0');
    expect(text).toContain(
      'ballast_md_depth_snapshot_failures_total{venue="binance",reason="no_sequence"} 0',
    );
  });

  it('marks a symbol stale while it has no update, and not stale once updates resume', async () => {
    const { reporter, gauge, clock, published } = staleWatch();
    reporter.start();
    try {
      expect(await gauge()).toBe(0);
      reporter.touch('BTC-USDT');
      clock.now = 5_000;
      reporter.check();
      expect(await gauge()).toBe(1);
      reporter.touch('BTC-USDT');
      reporter.check();
      expect(await gauge()).toBe(0);
      expect(published).toEqual(['live', 'stale', 'live']);
    } finally {
      reporter[Symbol.dispose]();
    }
  });

  it('keeps a silent symbol marked stale while its connection is replaced and once it is reported down', async () => {
    // A venue gone silent: stale after 1 s, the watchdog replaces the connection (reconnecting), the
    // new one stays silent; the gauge (and BallastFeedStale on it) must not clear until data comes.
    const { reporter, gauge, clock, published } = staleWatch();
    reporter.touch('BTC-USDT');
    clock.now = 5_000;
    reporter.check();
    reporter.connection(false, 'heartbeat; retrying in 400 ms');
    expect(await gauge()).toBe(1);
    clock.now = 70_000;
    reporter.check();
    expect(published.slice(-1)).toEqual(['down']);
    expect(await gauge()).toBe(1);
    reporter.connection(true, 'reconnected');
    reporter.check();
    expect(await gauge()).toBe(1);
    reporter.touch('BTC-USDT');
    reporter.check();
    expect(await gauge()).toBe(0);
    expect(published).toEqual(['live', 'stale', 'reconnecting', 'down', 'stale', 'live']);
  });

  it('measures the feed lag when scraped, so it grows while a feed is silent', async () => {
    const registry = new Registry();
    let now = 10_000;
    const metrics = new MarketDataMetrics(registry, { now: () => now });
    metrics.eventReceived('binance', 9_500);
    expect(await registry.metrics()).toContain('ballast_md_feed_lag_seconds{venue="binance"} 0.5');
    now = 70_000;
    expect(await registry.metrics()).toContain('ballast_md_feed_lag_seconds{venue="binance"} 60.5');
  });

  it('reports how long the venue’s REST is still held when scraped, 0 once the wait passed', async () => {
    const registry = new Registry();
    let now = 10_000;
    const metrics = new MarketDataMetrics(registry, { now: () => now });
    metrics.watchRestWait('binance', () => (now < 130_000 ? 130_000 : null));
    expect(await registry.metrics()).toContain('ballast_md_rest_blocked_seconds{venue="binance"} 120');
    now = 129_500;
    expect(await registry.metrics()).toContain('ballast_md_rest_blocked_seconds{venue="binance"} 0.5');
    now = 130_000;
    expect(await registry.metrics()).toContain('ballast_md_rest_blocked_seconds{venue="binance"} 0');
  });
});
