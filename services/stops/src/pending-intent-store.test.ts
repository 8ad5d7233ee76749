import type { Clock, OrderIntent } from '@ballast/contracts';
import { NO_ENTRY_ORDERS } from '@ballast/core';
import { botStateBed, expectInvalidState } from '@ballast/db/testing';
import { describe, expect, it } from 'vitest';
import { botStatePendingIntents } from './pending-intent-store';

const clock: Clock = { now: () => Date.UTC(2026, 10, 24, 12) };
const bed = botStateBed('stops_pending_store', clock);

const intent: OrderIntent = {
  intentId: 'i-1',
  candidateId: 'c-1',
  strategy: 'trend_pullback',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  positionSide: 'long',
  side: 'buy',
  qty: 0.01,
  entry: 91_000,
  stop: 89_000,
  takeProfits: [94_000],
  riskAmount: 20,
};

describe('pending intents in bot_state', () => {
  it('loads a row written before entries were kept, with no entry orders seen', async () => {
    await bed.write(
      'stops.pending-intents.olddesk',
      JSON.stringify([{ intent, correlationId: 'corr-1', receivedAt: 1_764_000_000_000 }]),
    );
    expect(await botStatePendingIntents(bed.state, 'olddesk').load()).toEqual([
      { intent, correlationId: 'corr-1', receivedAt: 1_764_000_000_000, orders: NO_ENTRY_ORDERS },
    ]);
  });

  it('saves the list as its JSON, and loads none before the first save', async () => {
    const store = botStatePendingIntents(bed.state, 'newdesk');
    expect(await store.load()).toEqual([]);
    const pending = [
      { intent, correlationId: 'corr-2', receivedAt: 5, orders: { filled: true, unfilled: {} } },
    ];
    await store.save(pending);
    expect((await bed.read('stops.pending-intents.newdesk'))?.value).toEqual(pending);
  });

  it('refuses a row that does not parse with invalid_state naming its key', async () => {
    await bed.write('stops.pending-intents.broken', '{"not":"a list"}');
    await expectInvalidState(
      botStatePendingIntents(bed.state, 'broken').load(),
      'stops.pending-intents.broken',
    );
  });
});
