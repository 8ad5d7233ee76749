import type { OrderIntent } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { PendingIntent, PendingIntents } from './pending-intents';

function intent(intentId: string): OrderIntent {
  return {
    intentId,
    candidateId: `c-${intentId}`,
    strategy: 'test',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'buy',
    positionSide: 'long',
    qty: 0.01,
    entry: 60_000,
    stop: 58_800,
    takeProfits: [62_400],
    riskAmount: 12,
  };
}

describe('PendingIntents', () => {
  it('keeps several per market, each found by the position of its own chain until removed', () => {
    const pending = new PendingIntents();
    pending.add(intent('a'), 'chain-a', 0);
    pending.add(intent('b'), 'chain-b', 0);
    const opening = (correlationId: string) => ({ strategy: 'test', side: 'long' as const, correlationId });
    expect(pending.find('binance:BTC-USDT', opening('chain-b'))?.intentId).toBe('b');
    expect(pending.find('binance:BTC-USDT', opening('chain-a'))?.intentId).toBe('a');
    expect(pending.remove('b')).toBe(true);
    expect(pending.find('binance:BTC-USDT', opening('chain-b'))).toBeUndefined();
  });

  it('drops those read before the bound, and a refused one; reloads from its list', () => {
    const pending = new PendingIntents();
    pending.add(intent('old'), 'chain-old', 1_000);
    pending.add(intent('new'), 'chain-new', 5_000);
    pending.add(intent('refused'), 'chain-refused', 5_000);
    expect(pending.remove('refused')).toBe(true);
    expect(pending.expire(2_000)).toBe(true);
    const reloaded = new PendingIntents(pending.list());
    expect(reloaded.list().map((p) => p.intent.intentId)).toEqual(['new']);
  });

  it("keeps what an entry's orders came to when its decision is read again; loads intents stored without it", () => {
    const pending = new PendingIntents();
    pending.add(intent('a'), 'chain-a', 0);
    const heard = { filled: false, unfilled: { 'bl-a0': 0.005 } };
    const first = pending.get('a');
    if (first) pending.update({ ...first, orders: heard });
    pending.add(intent('a'), 'chain-a', 10);
    expect(pending.get('a')).toMatchObject({ receivedAt: 10, orders: heard });
    const stored = PendingIntent.parse({ intent: intent('b'), correlationId: 'chain-b', receivedAt: 0 });
    expect(stored.orders).toEqual({ filled: false, unfilled: {} });
  });
});
