import type { Bus } from '@ballast/bus';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { FeedStatusReporter } from './feed-status-reporter';

function reporter(symbols: readonly string[] = ['BTC-USDT']) {
  const clock = { t: 0, now: () => clock.t };
  const published: string[] = [];
  const symbolStates: string[] = [];
  const failures: string[] = [];
  /** Publishes that fail next, as a NATS timeout would. */
  const bus = {
    failing: 0,
    publish: async (_s: unknown, p: { symbol: string | null; state: string }) => {
      if (bus.failing > 0) {
        bus.failing--;
        throw new Error('TIMEOUT');
      }
      published.push(p.state);
      symbolStates.push(`${p.symbol}:${p.state}`);
    },
  };
  const r = new FeedStatusReporter({
    bus: bus as unknown as Bus,
    venue: 'binance',
    symbols,
    clock,
    log: { info() {}, error: (o: object) => void failures.push(JSON.stringify(o)) },
    staleAfterMs: 1_000,
    downAfterMs: 60_000,
  });
  return { r, clock, published, symbolStates, bus, failures };
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

describe('FeedStatusReporter when the connection drops or a repair keeps failing', () => {
  it('reports every symbol reconnecting the moment the connection is lost, and live again once it is back', () => {
    const { r, symbolStates } = reporter(['BTC-USDT', 'ETH-USDT']);
    r.touch('BTC-USDT');
    r.touch('ETH-USDT');
    r.connection(false, 'closed 1006; retrying in 400 ms');
    expect(symbolStates).toEqual([
      'BTC-USDT:live',
      'ETH-USDT:live',
      'null:reconnecting',
      'BTC-USDT:reconnecting',
      'ETH-USDT:reconnecting',
    ]);
    r.connection(false, 'closed 1006; retrying in 900 ms');
    r.connection(true, 'reconnected');
    expect(symbolStates.slice(5)).toEqual(['null:live', 'BTC-USDT:live', 'ETH-USDT:live']);
  });

  it('leaves a symbol that never sent an update to its first update when the connection opens', () => {
    const { r, symbolStates } = reporter();
    r.connection(true, 'connected');
    expect(symbolStates).toEqual(['null:live']);
    r.connection(false, 'handshake timeout');
    r.connection(true, 'reconnected');
    r.touch('BTC-USDT');
    expect(symbolStates).toEqual([
      'null:live',
      'null:reconnecting',
      'BTC-USDT:reconnecting',
      'null:live',
      'BTC-USDT:live',
    ]);
  });

  it('reports a symbol held by a resync past downAfterMs down, naming it, and live once it clears', () => {
    const { r, clock, symbolStates } = reporter();
    r.touch('BTC-USDT');
    r.condition('BTC-USDT', 'resyncing', true, 'depth snapshot: 418 banned');
    clock.t = 59_000;
    r.touch('BTC-USDT');
    r.check();
    expect(symbolStates.at(-1)).toBe('BTC-USDT:resyncing');
    // A second condition raised meanwhile neither restarts the clock nor lifts the down.
    r.condition('BTC-USDT', 'backfilling', true, 'gap 10:00');
    clock.t = 60_000;
    r.touch('BTC-USDT');
    r.check();
    expect(symbolStates.slice(-2)).toEqual(['BTC-USDT:backfilling', 'BTC-USDT:down']);
    r.condition('BTC-USDT', 'resyncing', false, 'depth synced');
    r.condition('BTC-USDT', 'backfilling', true, 'gap widened');
    expect(symbolStates.at(-1)).toBe('BTC-USDT:down');
    r.condition('BTC-USDT', 'backfilling', false, 'backfill done');
    expect(symbolStates.at(-1)).toBe('BTC-USDT:live');
  });
});

describe('FeedStatusReporter delivery', () => {
  it('sends a state whose publish failed again at the next check, so subscribers still learn a market went stale', async () => {
    const { r, clock, published, bus, failures } = reporter();
    r.touch('BTC-USDT');
    clock.t = 2_000;
    bus.failing = 2;
    r.check();
    await waitFor(() => failures.length === 1, 'the stale publish failed');
    r.check();
    await waitFor(() => failures.length === 2, 'the first resend failed too');
    r.check();
    await waitFor(() => published.length === 2, 'stale delivered');
    expect(published).toEqual(['live', 'stale']);
    r.check();
    r.check();
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toEqual(['live', 'stale']);
  });

  it('does not resend a failed state that a newer one replaced', async () => {
    const { r, clock, published, bus, failures } = reporter();
    r.touch('BTC-USDT');
    clock.t = 2_000;
    bus.failing = 1;
    r.check();
    await waitFor(() => failures.length === 1, 'the stale publish failed');
    r.touch('BTC-USDT');
    r.check();
    r.check();
    await waitFor(() => published.length === 2, 'live delivered');
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toEqual(['live', 'live']);
  });
});

describe('FeedStatusReporter configured symbols', () => {
  it('reports a configured symbol that never sent an update stale, and live at its first update', async () => {
    const { r, clock, symbolStates } = reporter(['BTC-USDT', 'ETH-USDT']);
    r.start();
    try {
      r.touch('BTC-USDT');
      clock.t = 900;
      r.touch('BTC-USDT');
      clock.t = 1_500;
      r.check();
      await waitFor(() => symbolStates.length === 2, 'ETH-USDT reported');
      expect(symbolStates).toEqual(['BTC-USDT:live', 'ETH-USDT:stale']);
      r.touch('ETH-USDT');
      r.check();
      await waitFor(() => symbolStates.length === 3, 'ETH-USDT live');
      expect(symbolStates.at(-1)).toBe('ETH-USDT:live');
    } finally {
      r[Symbol.dispose]();
    }
  });
});
