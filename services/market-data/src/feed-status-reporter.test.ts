import type { Bus } from '@ballast/bus';
import { describe, expect, it } from 'vitest';
import { FeedStatusReporter } from './feed-status-reporter';

function reporter() {
  const clock = { t: 0, now: () => clock.t };
  const published: string[] = [];
  const bus = { publish: async (_s: unknown, p: { state: string }) => void published.push(p.state) };
  const r = new FeedStatusReporter({
    bus: bus as unknown as Bus,
    venue: 'binance',
    clock,
    log: { info() {}, error() {} },
    staleAfterMs: 1_000,
  });
  return { r, clock, published };
}

describe('FeedStatusReporter conditions', () => {
  it('keeps a symbol with an unfilled candle gap out of live when its updates resume after a stale spell', () => {
    const { r, clock, published } = reporter();
    r.touch('BTC-USDT');
    r.condition('BTC-USDT', 'backfilling', true, 'gap: 1..2');
    clock.t = 5_000;
    r.check();
    r.touch('BTC-USDT');
    r.check();
    expect(published).toEqual(['live', 'backfilling', 'stale', 'backfilling']);
    r.condition('BTC-USDT', 'backfilling', false, 'backfill done');
    expect(published.at(-1)).toBe('live');
  });

  it('reports the remaining condition when one of two clears, and stale when the feed went quiet meanwhile', () => {
    const { r, clock, published } = reporter();
    r.touch('BTC-USDT');
    r.condition('BTC-USDT', 'backfilling', true, 'gap');
    r.condition('BTC-USDT', 'resyncing', true, 'depth gap');
    r.condition('BTC-USDT', 'resyncing', false, 'depth synced');
    expect(published).toEqual(['live', 'backfilling', 'resyncing', 'backfilling']);
    clock.t = 5_000;
    r.check();
    r.condition('BTC-USDT', 'backfilling', false, 'backfill done');
    // Still stale (unchanged, so not re-published): no update since, so not live either.
    expect(published).toEqual(['live', 'backfilling', 'resyncing', 'backfilling', 'stale']);
    r.touch('BTC-USDT');
    r.check();
    expect(published.at(-1)).toBe('live');
  });
});
