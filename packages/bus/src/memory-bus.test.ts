import { type Candle, deadLetterSubject, type Envelope, Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { runBusConformance } from './conformance';
import { DUPLICATE_WINDOW_MS } from './duplicate-window';
import { MemoryBus } from './memory-bus';
import { MemoryHub } from './memory-hub';
import { randomIds } from './random-ids';
import { recordedCandles } from './recorded-candles';

runBusConformance('MemoryBus', async () => {
  const hub = new MemoryHub();
  return {
    makeBus: async (deps) => new MemoryBus({ ...deps, hub }),
    publishRaw: async (subjectValue, raw) => hub.publishRaw(subjectValue, raw),
    refuseDeadLetters: async () => {
      hub.refuse('DLQ');
      return async () => hub.accept('DLQ');
    },
    close: async () => {},
  };
});

// JetStream forgets a Nats-Msg-Id after the stream's duplicate_window (DUPLICATE_WINDOW_MS, pinned
// by nats-bus.jetstream.test.ts); the conformance suite cannot wait that long on a real server.
describe('MemoryHub de-duplication window', () => {
  it('accepts an envelope id again once DUPLICATE_WINDOW_MS has passed on the publishing clock, not before', async () => {
    const start = 1_700_000_000_000;
    let now = start;
    const clock = { now: () => now };
    const bus = new MemoryBus({ source: 'market-data', clock, ids: randomIds(clock), hub: new MemoryHub() });
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const seen: Array<Envelope<Candle>> = [];
    await bus.subscribe(candle, (m) => void seen.push(m), { durable: 'window' });
    const [first] = recordedCandles(1);
    const once = await bus.publish(candle, first!);
    now = start + DUPLICATE_WINDOW_MS - 1;
    await bus.publishEnvelope(candle, once);
    now = start + DUPLICATE_WINDOW_MS;
    await bus.publishEnvelope(candle, once);
    // The repeat within the window did not extend it; the accepted one starts a new one.
    now = start + 2 * DUPLICATE_WINDOW_MS - 1;
    await bus.publishEnvelope(candle, once);
    await bus.idle();
    expect(seen.map((m) => m.id)).toEqual([once.id, once.id]);
    await bus.drain();
  });
});

// Live, a dead letter that cannot be stored is tried again after the last backoff, without end. On a
// virtual clock trying at once would spin the backtest: the retry waits for publishing time to pass.
describe('MemoryHub retrying a dead letter it cannot store', () => {
  it('tries again once publishing time has passed the backoff, and the backtest goes idle meanwhile', async () => {
    const start = 1_700_000_000_000;
    let now = start;
    const clock = { now: () => now };
    const hub = new MemoryHub();
    const failures: number[] = [];
    const log = {
      info: () => {},
      warn: () => {},
      error: (_obj: object, msg: string) => {
        if (msg === 'bus: dead-lettering failed') failures.push(now);
      },
    };
    const bus = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub, log });
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const other = subject(Subjects.candle, { exchange: 'bybit', symbol: 'BTC-USDT', timeframe: '4h' });
    const letters: string[] = [];
    await bus.subscribe(
      candle,
      () => {
        throw new Error('venue away');
      },
      { durable: 'orders', maxDeliver: 1, backoffMs: [1_000] },
    );
    hub.refuse('DLQ');
    const [first, second, third] = recordedCandles(3);
    await bus.publish(candle, first!);
    await bus.idle();
    expect(failures).toEqual([start]);
    now = start + 999;
    await bus.publish(other, { ...second!, exchange: 'bybit' });
    await bus.idle();
    expect(failures).toEqual([start]);
    now = start + 1_000;
    await bus.publish(other, { ...third!, exchange: 'bybit' });
    await bus.idle();
    expect(failures).toEqual([start, start + 1_000]);
    hub.accept('DLQ');
    await bus.subscribe(deadLetterSubject(candle.value), (m) => void letters.push(m.payload.subject), {
      durable: 'letters',
      deliverFrom: 'all',
    });
    await bus.idle();
    expect(letters).toEqual([candle.value]);
    await bus.drain();
  });
});

// One delivery at a time: a handler that never returns held every other message behind it, and the
// backtest waiting for the bus to be idle hung (or its process exited) with nothing said.
describe('MemoryHub stuck handler', () => {
  it('fails idle() naming the subject and durable once a handler runs past stuckHandlerMs', async () => {
    const clock = { now: () => 1_700_000_000_000 };
    const lines: Array<{ obj: object; msg: string }> = [];
    const log = {
      info: () => {},
      warn: () => {},
      error: (obj: object, msg: string) => void lines.push({ obj, msg }),
    };
    const hub = new MemoryHub({ stuckHandlerMs: 50, log });
    const bus = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub, log });
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    let release = () => {};
    const never = new Promise<void>((resolve) => {
      release = resolve;
    });
    await bus.subscribe(candle, () => never, { durable: 'stuck' });
    const [first] = recordedCandles(1);
    await bus.publish(candle, first!);
    await expect(bus.idle()).rejects.toMatchObject({
      reason: 'stuck_handler',
      message: expect.stringContaining('durable stuck on MD_CANDLE'),
    });
    expect(lines).toEqual([
      {
        obj: expect.objectContaining({ subject: candle.value, durable: 'stuck' }),
        msg: 'bus: handler still running, nothing else is delivered',
      },
    ]);
    // The handler returning ends it: the bus goes idle again.
    release();
    await waitFor(
      () =>
        bus.idle().then(
          () => true,
          () => false,
        ),
      'the bus idle again',
    );
  });
});
