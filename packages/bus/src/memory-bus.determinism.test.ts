import {
  type Candle,
  type DeadLetter,
  deadLetterSubject,
  type Envelope,
  Subjects,
  subject,
} from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from './memory-bus';
import { MemoryHub } from './memory-hub';
import { randomIds } from './random-ids';
import { RECORDED_CANDLE_FILE, recordedCandles } from './recorded-candles';

// What only the in-process transport promises: one global FIFO order and no real waiting.
describe(`MemoryBus determinism (payloads from ${RECORDED_CANDLE_FILE})`, () => {
  const clock = { now: () => 1_700_000_000_000 };
  const candles = recordedCandles(3);
  const binance = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
  const bybit = subject(Subjects.candle, { exchange: 'bybit', symbol: 'BTC-USDT', timeframe: '4h' });
  const memoryBus = (hub = new MemoryHub()) =>
    new MemoryBus({ source: 'signals', clock, ids: randomIds(clock), hub });

  it('queues a publish made inside a handler after the messages already queued', async () => {
    const bus = memoryBus();
    const order: string[] = [];
    await bus.subscribe(
      binance,
      async (m) => {
        order.push(`binance ${m.payload.openTime}`);
        if (m.payload.openTime === candles[0]!.openTime)
          await bus.publish(bybit, { ...candles[2]!, exchange: 'bybit' });
      },
      { durable: 'first' },
    );
    await bus.subscribe(bybit, (m) => void order.push(`bybit ${m.payload.openTime}`), { durable: 'second' });
    // Both are queued before the first handler runs; its publish must land behind them.
    await Promise.all([bus.publish(binance, candles[0]!), bus.publish(binance, candles[1]!)]);
    await bus.idle();
    expect(order).toEqual([
      `binance ${candles[0]!.openTime}`,
      `binance ${candles[1]!.openTime}`,
      `bybit ${candles[2]!.openTime}`,
    ]);
  });

  it('redelivers at once, without sleeping for the backoff, and idle() waits for the dead letter', async () => {
    const bus = memoryBus();
    const letters: DeadLetter[] = [];
    let calls = 0;
    await bus.subscribe(deadLetterSubject(binance.value), (m) => void letters.push(m.payload), {
      durable: 'dlq',
    });
    await bus.subscribe(
      binance,
      () => {
        calls++;
        throw new Error('always');
      },
      // An hour of backoff: only an immediate redelivery lets this test finish.
      { durable: 'poison', maxDeliver: 4, backoffMs: [3_600_000] },
    );
    await bus.publish(binance, candles[0]!);
    await bus.idle();
    expect(calls).toBe(4);
    expect(letters).toMatchObject([{ error: 'always', deliveries: 4, consumer: 'poison' }]);
  });

  it('keeps messages for a durable while it has no subscriber and delivers them in order when one returns', async () => {
    const hub = new MemoryHub();
    const first = memoryBus(hub);
    const seen: number[] = [];
    const subscription = await first.subscribe(binance, (m) => void seen.push(m.payload.openTime), {
      durable: 'restart',
    });
    await subscription.stop();
    const producer = memoryBus(hub);
    for (const c of candles) await producer.publish(binance, c);
    await producer.idle();
    expect(seen).toEqual([]);
    await memoryBus(hub).subscribe(binance, (m) => void seen.push(m.payload.openTime), {
      durable: 'restart',
    });
    await hub.idle();
    expect(seen).toEqual(candles.map((c) => c.openTime));
  });

  it('hands the publisher and every subscriber one frozen envelope, equal to its text parsed', async () => {
    const bus = memoryBus();
    const seen: Array<Envelope<Candle>> = [];
    for (const durable of ['a', 'b']) await bus.subscribe(binance, (m) => void seen.push(m), { durable });
    const sent = await bus.publish(binance, candles[0]!);
    await bus.idle();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(sent);
    expect(seen[1]).toBe(sent);
    expect(sent).toStrictEqual(JSON.parse(JSON.stringify({ ...sent, payload: candles[0] })));
    expect(Object.isFrozen(sent) && Object.isFrozen(sent.payload)).toBe(true);
    expect(() => {
      (sent.payload as { close: number }).close = 0;
    }).toThrow(TypeError);
  });

  it('keeps nothing when asked to, and refuses a durable that would start from the messages kept', async () => {
    const hub = new MemoryHub({ retainPerStream: 0 });
    const seen: number[] = [];
    const bus = memoryBus(hub);
    await bus.subscribe(binance, (m) => void seen.push(m.payload.openTime), { durable: 'live' });
    for (const c of candles) await bus.publish(binance, c);
    await bus.idle();
    expect(seen).toEqual(candles.map((c) => c.openTime));
    await expect(
      bus.subscribe(binance, () => undefined, { durable: 'late', deliverFrom: 'all' }),
    ).rejects.toMatchObject({ name: 'BusError', reason: 'transport' });
  });

  it('gives the same handler sequence for the same input, run after run', async () => {
    const run = async (): Promise<string[]> => {
      const hub = new MemoryHub();
      const bus = memoryBus(hub);
      const trace: string[] = [];
      for (const name of ['a', 'b']) {
        await bus.subscribe(
          binance,
          (m: { payload: Candle }) => void trace.push(`${name}:${m.payload.openTime}`),
          {
            durable: 'shared',
          },
        );
      }
      for (const c of candles) await bus.publish(binance, c);
      await bus.idle();
      return trace;
    };
    const once = await run();
    expect(once).toEqual([
      `a:${candles[0]!.openTime}`,
      `b:${candles[1]!.openTime}`,
      `a:${candles[2]!.openTime}`,
    ]);
    expect(await run()).toEqual(once);
  });
});
