import type { StopRecord } from '@ballast/stops-service';
import { describe, expect, it } from 'vitest';
import { keptStops } from './kept-stops';

// A record as the stops service keeps it: a real BTCUSDT 1h close (2021-05-10 00:00, 58,240.84) as the entry.
const record: StopRecord = {
  positionId: 'binance:BTC-USDT',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'long',
  stopSide: 'sell',
  qty: 0.01,
  entry: 58_240.84,
  stopPrice: 56_493.61,
  clientOrderId: 'bt-s1',
  seq: 1,
  sending: null,
  verified: true,
  intentId: 'in-1',
  strategy: 'trend_pullback',
  awaitingAdds: [],
  awaiting: null,
  ladder: { levels: [61_000], taken: 0 },
  closing: null,
  takeProfit: null,
  pendingMove: null,
  unplanned: null,
  soldFrom: null,
};

describe('keptStops', () => {
  it('reads back what was saved, as it was saved, and lists the active ones of a venue', async () => {
    const { records } = keptStops();
    await records.save(record, 'active', record);
    const mutated = { ...record, seq: 2 };
    await records.save({ ...record, positionId: 'binance:ETH-USDT', symbol: 'ETH-USDT' }, 'closed', mutated);
    record.seq = 99; // the manager goes on changing its object; the kept one does not follow
    expect(await records.get('binance:BTC-USDT')).toEqual({ status: 'active', state: { ...record, seq: 1 } });
    expect((await records.get('binance:ETH-USDT'))?.status).toBe('closed');
    expect((await records.active('binance')).map((r) => r.positionId)).toEqual(['binance:BTC-USDT']);
    expect(await records.active('bybit')).toEqual([]);
    expect(await records.get('binance:SOL-USDT')).toBeUndefined();
  });

  it('keeps the pending intents last saved, apart from the lists handed in and out', async () => {
    const { pending } = keptStops();
    expect(await pending.load()).toEqual([]);
    // Only the shape the store passes through matters here: an intent approved on the venue.
    const waiting = [{ intent: { intentId: 'in-2' }, correlationId: 'c-2', receivedAt: 1 }] as never[];
    await pending.save(waiting);
    const loaded = await pending.load();
    loaded.pop();
    expect(await pending.load()).toEqual(waiting);
  });
});
