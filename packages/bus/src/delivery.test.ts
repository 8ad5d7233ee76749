import {
  type DeadLetter,
  deadLetterSubject,
  type Envelope,
  type EnvelopeHeader,
  Subjects,
  subject,
} from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { deliveryTarget, processDelivery } from './delivery';
import { buildEnvelope, encodeEnvelope } from './envelope-codec';
import { MemoryBus } from './memory-bus';
import { MemoryHub } from './memory-hub';
import { randomIds } from './random-ids';
import { recordedCandles } from './recorded-candles';
import { silentLog, silentObserver } from './silent-log';

// JetStream redelivers without limit (the bus counts tries), so a message whose handler killed its
// process on its last try comes back once more: it must be dead-lettered, not run (and crash) again.
describe('processDelivery past the handler tries', () => {
  it('dead-letters a delivery beyond maxDeliver without running the handler', async () => {
    const clock = { now: () => 1_700_000_000_000 };
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const envelope = buildEnvelope(
      { source: 'market-data', clock, ids: randomIds(clock) },
      Subjects.candle,
      recordedCandles(1)[0]!,
    );
    let calls = 0;
    const target = deliveryTarget(Subjects.candle, () => void calls++, {
      durable: 'crashing',
      maxDeliver: 3,
    });
    const letters: DeadLetter[] = [];
    const outcomes: string[] = [];
    const raw = encodeEnvelope(envelope);
    await processDelivery(
      { subject: candle.value, raw, deliveries: 4 },
      target,
      { observer: silentObserver, log: silentLog, deadLetter: async (l) => void letters.push(l) },
      {
        ack: () => void outcomes.push('ack'),
        retry: () => void outcomes.push('retry'),
        terminate: () => void outcomes.push('terminate'),
      },
    );
    expect({ calls, outcomes }).toEqual({ calls: 0, outcomes: ['terminate'] });
    expect(letters).toEqual([
      {
        subject: candle.value,
        error:
          'not handled within 3 deliveries (the last failed and could not be dead-lettered then, or its process stopped)',
        raw,
        consumer: 'crashing',
        deliveries: 4,
      },
    ]);
  });
});

// A dead letter whose publish was stored but failed anyway (its PubAck lost to a timeout) is tried
// again on the next delivery: the stream's duplicate window must see the same envelope id.
describe('processDelivery dead-lettering a message again', () => {
  it('gives the dead letter of one message the same id on each try, so the stream keeps one', async () => {
    const clock = { now: () => 1_700_000_000_000 };
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const dlq = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub: new MemoryHub() });
    const stored: Array<Envelope<DeadLetter>> = [];
    await dlq.subscribe(deadLetterSubject(candle.value), (m) => void stored.push(m), { durable: 'dlq' });
    let tries = 0;
    const services = {
      observer: silentObserver,
      log: silentLog,
      deadLetter: async (
        letter: DeadLetter,
        causedBy: Pick<EnvelopeHeader, 'id' | 'correlationId'> | undefined,
        id: string | undefined,
      ) => {
        await dlq.publish(deadLetterSubject(letter.subject), letter, { causedBy, ...(id && { id }) });
        if (++tries === 1) throw new Error('PubAck timed out');
      },
    };
    const envelope = buildEnvelope(
      { source: 'market-data', clock, ids: randomIds(clock) },
      Subjects.candle,
      recordedCandles(1)[0]!,
    );
    const target = deliveryTarget(
      Subjects.candle,
      () => {
        throw new Error('venue away');
      },
      { durable: 'orders', maxDeliver: 2 },
    );
    const outcomes: string[] = [];
    const control = {
      ack: () => void outcomes.push('ack'),
      retry: () => void outcomes.push('retry'),
      terminate: () => void outcomes.push('terminate'),
    };
    const raw = encodeEnvelope(envelope);
    await processDelivery({ subject: candle.value, raw, deliveries: 2 }, target, services, control);
    await processDelivery({ subject: candle.value, raw, deliveries: 3 }, target, services, control);
    await dlq.idle();
    expect(outcomes).toEqual(['retry', 'terminate']);
    expect(stored.map((m) => m.causationId)).toEqual([envelope.id]);
    await dlq.drain();
  });
});
