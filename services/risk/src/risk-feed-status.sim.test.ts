import type { Clock, FeedStatus } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { btcSignal } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

// Market-data publishes a market's feed status only when it changes (FeedStatusReporter).
const clock: Clock = { now: () => Date.now() };
const bed = useRiskBed('risk-feed-status');

const status = (symbol: string, state: FeedStatus['state'], eventTime: number) =>
  bed.bus.publish(
    subject(Subjects.feedStatus, { exchange: 'binance' }),
    { exchange: 'binance', symbol, state, reason: 'test', lastMessageTime: null },
    { eventTime },
  );

const decide = async (id: string) => {
  await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal(id));
  return bed.decisionOn(id);
};

describe('risk: a market reported stale', () => {
  it('stays stale across a restart until market-data reports it live, and an older status redelivered changes nothing', async () => {
    const staleAt = clock.now();
    let risk = await bed.startRisk(clock);
    await status('BTC-USDT', 'stale', staleAt);
    await waitFor(() => risk.manager.current.staleMarkets.length > 0, 'BTC-USDT stale');
    expect(await decide('stale-1')).toMatchObject({ approved: false, reason: 'stale_data' });
    await risk[Symbol.asyncDispose]();

    // A restart: the stale status was acknowledged, and is not delivered again.
    risk = await bed.startRisk(clock);
    expect(risk.manager.current.staleMarkets).toEqual(['binance:BTC-USDT']);
    expect(await decide('stale-2')).toMatchObject({ approved: false, reason: 'stale_data' });
    await risk[Symbol.asyncDispose]();

    // Live again while risk was down: delivered after the restart.
    await status('BTC-USDT', 'live', staleAt + 1_000);
    risk = await bed.startRisk(clock);
    await waitFor(() => risk.manager.current.staleMarkets.length === 0, 'BTC-USDT live');
    // The stale status again (a redelivery), then ETH-USDT's on the same subject, handled after it.
    await status('BTC-USDT', 'stale', staleAt);
    await status('ETH-USDT', 'stale', staleAt + 2_000);
    await waitFor(() => risk.manager.current.staleMarkets.length > 0, 'ETH-USDT stale');
    expect(risk.manager.current.staleMarkets).toEqual(['binance:ETH-USDT']);
    expect(await decide('stale-3')).toMatchObject({ approved: true });
    await risk[Symbol.asyncDispose]();
  });
});
