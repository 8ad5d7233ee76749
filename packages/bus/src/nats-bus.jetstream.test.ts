import type { Socket } from 'node:net';
import type { Envelope } from '@ballast/contracts';
import {
  type Candle,
  DeadLetter,
  deadLetterSubject,
  envelopeSchema,
  STREAMS,
  Subjects,
  subject,
} from '@ballast/contracts';
import { natsUrl, uniqueName, waitFor } from '@ballast/testkit';
import { AckPolicy, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handler } from './bus';
import { DEAD_LETTER_RAW_MAX } from './dead-letter-raw';
import { DUPLICATE_WINDOW_MS } from './duplicate-window';
import { NatsBus } from './nats-bus';
import { NatsNaming } from './nats-naming';
import { deleteStreams } from './nats-streams';
import { randomIds } from './random-ids';
import { RECORDED_CANDLE_FILE, recordedCandles } from './recorded-candles';

// What only JetStream can show: stored streams and consumers, raw bytes from a foreign client.
describe(`NatsBus on JetStream (payloads from ${RECORDED_CANDLE_FILE})`, () => {
  const prefix = `${uniqueName('bus_jetstream')}.`;
  const naming = new NatsNaming(prefix);
  const clock = { now: () => 1_700_000_000_000 };
  const [first, second] = recordedCandles(2);
  const binance = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
  let servers: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let bus: NatsBus;

  beforeAll(async () => {
    servers = await natsUrl();
    nc = await connect({ servers });
    jsm = await jetstreamManager(nc);
    bus = await NatsBus.connect({ source: 'signals', clock, ids: randomIds(clock), servers, prefix });
    await bus.ensureStreams();
  });

  afterAll(async () => {
    await bus?.drain();
    await deleteStreams(jsm, naming);
    await nc?.close();
  });

  it('creates every stream of STREAMS under the prefix with its retention limits, idempotently', async () => {
    await bus.ensureStreams();
    for (const s of STREAMS) {
      const info = await jsm.streams.info(naming.stream(s.name));
      expect(info.config).toMatchObject({
        subjects: s.subjects.map((x) => `${prefix}${x}`),
        max_age: nanos(s.maxAgeMs),
        max_msgs: s.maxMsgs,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
    }
    expect(naming.stream('MD_CANDLE')).toBe(`${prefix.replaceAll('.', '_')}MD_CANDLE`);
  });

  it('keeps request/reply subjects outside every stream', async () => {
    await expect(jsm.streams.find(`${prefix}rpc.control.state`)).rejects.toThrow();
    expect(await jsm.streams.find(`${prefix}md.candle.binance.BTC-USDT.4h`)).toBe(naming.stream('MD_CANDLE'));
  });

  it('stores raw invalid bytes from a foreign client in the DLQ stream; the handler only sees the valid one', async () => {
    const seen: Array<Envelope<Candle>> = [];
    await bus.subscribe(binance, (m) => void seen.push(m), { durable: 'raw_invalid' });
    const ids = randomIds(clock);
    const inverted = JSON.stringify({
      id: ids(),
      type: 'CandleClosed',
      version: 1,
      eventTime: first!.closeTime,
      emittedAt: clock.now(),
      source: 'foreign',
      correlationId: 'raw-1',
      causationId: null,
      payload: { ...first, high: first!.low - 1 },
    });
    nc.publish(naming.subject(binance.value), new TextEncoder().encode(inverted));
    nc.publish(naming.subject(binance.value), new TextEncoder().encode('not json at all'));
    await nc.flush();
    const valid = await bus.publish(binance, second!);
    await waitFor(() => seen.length === 1, 'the valid candle');
    expect(seen[0]!.id).toBe(valid.id);

    const dlqStream = naming.stream('DLQ');
    const dlqSubject = naming.subject(deadLetterSubject(binance.value).value);
    const stored = await waitFor(async () => {
      const info = await jsm.streams.info(dlqStream);
      return info.state.messages === 2 ? info : null;
    }, 'two dead letters in the DLQ stream');
    expect(stored.state.messages).toBe(2);
    const letters = await Promise.all(
      [1, 2].map(async (seq) => {
        const m = await jsm.streams.getMessage(dlqStream, { seq });
        expect(m?.subject).toBe(dlqSubject);
        return envelopeSchema(DeadLetter).parse(m?.json());
      }),
    );
    expect(letters.map((l) => l.payload.raw)).toEqual([inverted, 'not json at all']);
    expect(letters[0]!.payload.error).toContain('high < low');
    expect(letters[1]!.payload.error).toContain('malformed JSON');
    expect(letters[0]!.causationId).toBe(JSON.parse(inverted).id);

    const consumer = await jsm.consumers.info(naming.stream('MD_CANDLE'), 'raw_invalid');
    expect(consumer.config).toMatchObject({
      ack_policy: 'explicit',
      max_deliver: -1,
      filter_subject: `${prefix}${binance.value}`,
    });
    await waitFor(async () => {
      const c = await jsm.consumers.info(naming.stream('MD_CANDLE'), 'raw_invalid');
      return c.num_ack_pending === 0 && c.num_pending === 0;
    }, 'all three messages acked or terminated');
  });

  it('drain acks the in-flight message so nothing is left for redelivery', async () => {
    const own = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const { held, release } = holdUntilReleased();
    let started = false;
    await own.subscribe(
      binance,
      async () => {
        started = true;
        await held;
      },
      { durable: 'drain_ack' },
    );
    await bus.publish(binance, first!);
    await waitFor(() => started, 'the handler to start');
    const drained = own.drain();
    release();
    await drained;
    expect(own.isHealthy()).toBe(false);
    const info = await jsm.consumers.info(naming.stream('MD_CANDLE'), 'drain_ack');
    expect({
      ackPending: info.num_ack_pending,
      pending: info.num_pending,
      redelivered: info.num_redelivered,
    }).toEqual({
      ackPending: 0,
      pending: 0,
      redelivered: 0,
    });
  });

  it('handles each message once when handlers outlast the ack wait, held or waiting its turn', async () => {
    // A 1 s ack wait and handlers of 1.8 s (a slow agent call), the three pulled ahead at once: each
    // would expire mid-handler, or while waiting behind another, without the in-progress marks.
    const slow = await NatsBus.connect({ source: 'signals', clock, servers, prefix, ackWaitMs: 1_000 });
    const handled: Array<[number, number]> = [];
    try {
      await slow.subscribe(
        binance,
        async (m, context) => {
          handled.push([m.payload.openTime, context.deliveries]);
          await new Promise((resolve) => setTimeout(resolve, 1_800));
        },
        { durable: 'slow_handler' },
      );
      const candles = recordedCandles(3);
      for (const candle of candles) await bus.publish(binance, candle);
      const info = await waitFor(
        async () => {
          const i = await jsm.consumers.info(naming.stream('MD_CANDLE'), 'slow_handler');
          return handled.length >= 3 && i.num_ack_pending === 0 && i.num_pending === 0 ? i : undefined;
        },
        'the three messages to be handled and acknowledged',
        { timeoutMs: 20_000 },
      );
      expect(handled).toEqual(candles.map((c) => [c.openTime, 1]));
      expect({ redelivered: info.num_redelivered, maxAckPending: info.config.max_ack_pending }).toEqual({
        redelivered: 0,
        maxAckPending: 32,
      });
    } finally {
      await slow.drain();
    }
  }, 30_000);

  it('logs and counts once a handler still running past stuckHandlerMs, whose durable waits', async () => {
    // A handler that never returns (a call with no timeout) kept its message marked in progress for
    // ever, and every message of its durable behind it, with nothing logged or counted.
    const stuckOne = subject(Subjects.candle, { exchange: 'stuck', symbol: 'BTC-USDT', timeframe: '4h' });
    const lines: Array<{ obj: object; msg: string }> = [];
    const outcomes: string[] = [];
    const own = await NatsBus.connect({
      source: 'signals',
      clock,
      servers,
      prefix,
      ackWaitMs: 300,
      stuckHandlerMs: 500,
      log: { info: () => {}, warn: () => {}, error: (obj, msg) => void lines.push({ obj, msg }) },
      observer: {
        message: (e) => {
          if (e.direction === 'in') outcomes.push(e.outcome);
        },
        handled: () => {},
      },
    });
    const { held, release } = holdUntilReleased();
    try {
      await own.subscribe(stuckOne, () => held, { durable: 'stuck_handler' });
      await bus.publish(stuckOne, { ...first!, exchange: 'stuck' });
      await waitFor(() => outcomes.includes('stuck'), 'the stuck handler to be counted');
      // Several marks later it is still told once.
      await new Promise((resolve) => setTimeout(resolve, 400));
      release();
      await waitFor(() => outcomes.includes('ok'), 'the handler to finish');
      expect(outcomes).toEqual(['stuck', 'ok']);
      const stuckLines = lines.filter((l) => l.msg.startsWith('bus: handler still running'));
      expect(stuckLines).toHaveLength(1);
      expect(stuckLines[0]!.obj).toMatchObject({
        subject: stuckOne.value,
        durable: 'stuck_handler',
        deliveries: 1,
      });
    } finally {
      release();
      await own.drain();
    }
  });

  it('keeps a message whose dead letter cannot be stored on its last delivery, and dead-letters it once it can', async () => {
    // A handler failing through an outage of NATS itself (its own publishes time out) reaches its last
    // delivery while the dead letter cannot be stored either: the message was then nak'd at the
    // server's max_deliver, which never delivers it again: lost, with no dead letter.
    const dlqDown = subject(Subjects.candle, { exchange: 'dlqdown', symbol: 'BTC-USDT', timeframe: '4h' });
    const failedLetters: string[] = [];
    const log = {
      info: () => {},
      warn: () => {},
      error: (_obj: object, msg: string) => void failedLetters.push(msg),
    };
    const own = await NatsBus.connect({ source: 'orders', clock, servers, prefix, log });
    let calls = 0;
    try {
      await jsm.streams.delete(naming.stream('DLQ'));
      // As a deployment made it before: the server counting the handler's two tries.
      await jsm.consumers.add(naming.stream('MD_CANDLE'), {
        durable_name: 'dlq_down',
        filter_subject: naming.subject(dlqDown.value),
        ack_policy: AckPolicy.Explicit,
        max_deliver: 2,
        ack_wait: nanos(30_000),
        max_ack_pending: 32,
      });
      await own.subscribe(
        dlqDown,
        () => {
          calls++;
          throw new Error(`venue away ${calls}`);
        },
        { durable: 'dlq_down', maxDeliver: 2, backoffMs: [50] },
      );
      const sent = await bus.publish(dlqDown, { ...first!, exchange: 'dlqdown' });
      await waitFor(() => failedLetters.includes('bus: dead-lettering failed'), 'the dead letter to fail');
      await bus.ensureStreams();
      const dlqStream = naming.stream('DLQ');
      const stored = await waitFor(async () => {
        const info = await jsm.streams.info(dlqStream);
        return info.state.messages === 1 ? info : null;
      }, 'the dead letter once the DLQ stream is back');
      const m = await jsm.streams.getMessage(dlqStream, { seq: stored.state.first_seq });
      const letter = envelopeSchema(DeadLetter).parse(m?.json());
      expect(m?.subject).toBe(naming.subject(deadLetterSubject(dlqDown.value).value));
      expect(letter.causationId).toBe(sent.id);
      expect(letter.payload).toMatchObject({ subject: dlqDown.value, consumer: 'dlq_down' });
      expect(letter.payload.error).toContain('2 deliveries');
      // The handler ran its two deliveries only: the later ones were for the dead letter.
      expect(calls).toBe(2);
      await waitFor(async () => {
        const c = await jsm.consumers.info(naming.stream('MD_CANDLE'), 'dlq_down');
        return c.num_ack_pending === 0 && c.num_pending === 0;
      }, 'the message terminated');
    } finally {
      await own.drain();
      await bus.ensureStreams();
    }
  });

  it('creates its durable again and goes on consuming when the server loses it', async () => {
    // A durable deleted on the server (with its stream, by hand, a NATS restarted without its store):
    // the pull consumer went on asking a durable that no longer existed, and the service consumed
    // nothing more while it reported healthy and logged nothing.
    const lostOne = subject(Subjects.candle, {
      exchange: 'lostdurable',
      symbol: 'BTC-USDT',
      timeframe: '4h',
    });
    const lines: string[] = [];
    const log = {
      info: () => {},
      warn: (_obj: object, msg: string) => void lines.push(msg),
      error: (_obj: object, msg: string) => void lines.push(msg),
    };
    const own = await NatsBus.connect({ source: 'risk', clock, servers, prefix, log });
    const seen: number[] = [];
    try {
      await own.subscribe(lostOne, (m) => void seen.push(m.payload.openTime), { durable: 'lost_durable' });
      const [a, b] = recordedCandles(2).map((c) => ({ ...c, exchange: 'lostdurable' }));
      await bus.publish(lostOne, a!);
      await waitFor(() => seen.length === 1, 'the first candle');
      await deleteByHand(jsm, naming.stream('MD_CANDLE'), 'lost_durable');
      await waitFor(
        () =>
          jsm.consumers.info(naming.stream('MD_CANDLE'), 'lost_durable').then(
            () => true,
            () => false,
          ),
        'the durable created again',
      );
      await bus.publish(lostOne, b!);
      await waitFor(() => seen.length === 2, 'the candle published after');
      expect(seen).toEqual([a!.openTime, b!.openTime]);
      expect(lines).toEqual([
        'bus: durable gone from the server, creating it again',
        'bus: durable created again',
      ]);
    } finally {
      await own.drain();
    }
  });

  it('delivers a message waiting for its retry when its lost durable is created again', async () => {
    // A durable created again resumed after the last message handled: a message nak'd for a later
    // retry before it (a failed order handler, say) had its redelivery forgotten with the old durable
    // and was never delivered again.
    const retried = subject(Subjects.candle, { exchange: 'lostretry', symbol: 'BTC-USDT', timeframe: '4h' });
    const own = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const [a, b] = recordedCandles(2).map((c) => ({ ...c, exchange: 'lostretry' }));
    const handled: number[] = [];
    let failures = 0;
    try {
      await own.subscribe(
        retried,
        (m) => {
          if (m.payload.openTime === a!.openTime && failures++ === 0) throw new Error('venue away');
          handled.push(m.payload.openTime);
        },
        { durable: 'lost_retry', backoffMs: [600_000] },
      );
      await bus.publish(retried, a!);
      await bus.publish(retried, b!);
      await waitFor(() => failures === 1 && handled.includes(b!.openTime), 'a failed once, b handled');
      await deleteByHand(jsm, naming.stream('MD_CANDLE'), 'lost_retry');
      await waitFor(() => handled.includes(a!.openTime), 'a delivered again by the new durable');
    } finally {
      await own.drain();
    }
  });

  it('forgets a retry its recreated stream no longer holds, so a later lost durable does not start at it', async () => {
    // A message nak'd for a retry was kept as where a lost durable resumes until it was settled; one
    // whose stream was deleted and created again never came back, so every later loss of the durable
    // started at its old time and delivered the new stream's messages again.
    const ownPrefix = `${uniqueName('bus_gone_retry')}.`;
    const ownNaming = new NatsNaming(ownPrefix);
    const gone = subject(Subjects.candle, { exchange: 'goneretry', symbol: 'BTC-USDT', timeframe: '4h' });
    const own = await NatsBus.connect({ source: 'orders', clock, servers, prefix: ownPrefix });
    const [z, a, b, c, d] = recordedCandles(5).map((x) => ({ ...x, exchange: 'goneretry' }));
    const handled: number[] = [];
    let failures = 0;
    const durableBack = () =>
      jsm.consumers.info(ownNaming.stream('MD_CANDLE'), 'gone_retry').then(
        () => own.isHealthy(),
        () => false,
      );
    try {
      await own.ensureStreams();
      await own.subscribe(
        gone,
        (m) => {
          if (m.payload.openTime === a!.openTime && failures++ === 0) throw new Error('venue away');
          handled.push(m.payload.openTime);
        },
        { durable: 'gone_retry', backoffMs: [600_000] },
      );
      // a at sequence 2: the new stream's c (sequence 1) is not taken for it.
      await own.publish(gone, z!);
      await own.publish(gone, a!);
      await own.publish(gone, b!);
      await waitFor(() => failures === 1 && handled.includes(b!.openTime), 'a failed once, b handled');
      await jsm.streams.delete(ownNaming.stream('MD_CANDLE'));
      await waitFor(() => !own.isHealthy(), 'the durable lost with its stream');
      await own.ensureStreams();
      await waitFor(durableBack, 'the durable created again on the new stream');
      await own.publish(gone, c!);
      await waitFor(() => handled.includes(c!.openTime), 'c handled');
      await deleteByHand(jsm, ownNaming.stream('MD_CANDLE'), 'gone_retry');
      await waitFor(() => !own.isHealthy(), 'the durable lost again');
      await waitFor(durableBack, 'the durable created again');
      await own.publish(gone, d!);
      await waitFor(() => handled.includes(d!.openTime), 'd handled');
      expect(handled).toEqual([z!.openTime, b!.openTime, c!.openTime, d!.openTime]);
    } finally {
      await own.drain();
      await deleteStreams(jsm, ownNaming);
    }
  });

  it('forgets a retry another instance settled, so its lost durable does not start at it', async () => {
    // An instance kept the retry of a message it nak'd until it settled it itself; one whose redelivery
    // another instance took and acked never came back to it, and its durable, lost later, started at
    // that message and delivered it and everything after again.
    const elsewhere = subject(Subjects.candle, {
      exchange: 'ackedelsewhere',
      symbol: 'BTC-USDT',
      timeframe: '4h',
    });
    const candles = recordedCandles(40).map((x) => ({ ...x, exchange: 'ackedelsewhere' }));
    const x = candles[0]!;
    const lines: string[] = [];
    const log = {
      info: (_obj: object, msg: string) => void lines.push(msg),
      warn: () => {},
      error: () => {},
    };
    const options = { durable: 'acked_elsewhere', maxDeliver: 1_000, backoffMs: [20] };
    const one = await NatsBus.connect({ source: 'orders', clock, servers, prefix, log, ackWaitMs: 600 });
    const two = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const xInOne: number[] = [];
    const inOne: number[] = [];
    let xInTwo = 0;
    try {
      // The first instance fails x each time it gets it; the second handles it.
      await one.subscribe(
        elsewhere,
        (m, context) => {
          inOne.push(m.payload.openTime);
          if (m.payload.openTime === x.openTime) {
            xInOne.push(context.deliveries);
            throw new Error('venue away');
          }
        },
        options,
      );
      await two.subscribe(
        elsewhere,
        (m) => {
          if (m.payload.openTime === x.openTime) xInTwo++;
        },
        options,
      );
      await bus.publish(elsewhere, x);
      await waitFor(() => xInOne.length > 0 && xInTwo === 1, 'x failed by the first, handled by the second');
      await two.drain();
      let next = 0;
      await waitFor(
        async () => {
          await bus.publish(elsewhere, candles[1 + (next++ % 38)]!);
          return lines.includes('bus: retries settled by another instance forgotten');
        },
        'the first instance to forget the retry of x',
        { intervalMs: 100 },
      );
      const failedBefore = xInOne.length;
      await deleteByHand(jsm, naming.stream('MD_CANDLE'), 'acked_elsewhere');
      await waitFor(() => !one.isHealthy(), 'the durable lost');
      await waitFor(() => one.isHealthy(), 'the durable created again');
      const marker = candles[39]!;
      await bus.publish(elsewhere, marker);
      await waitFor(() => inOne.includes(marker.openTime), 'a candle published after handled');
      expect(xInOne.length).toBe(failedBefore);
    } finally {
      await one.drain();
      await two.drain();
    }
  });

  it('does not count a message handed back unhandled at a stop as a try of its handler', async () => {
    // A stopping service naks what it pulled ahead of its handler; the server counts each as a
    // delivery and the bus counted tries from it, so a message pulled ahead at a restart (or at
    // maxDeliver restarts in a row) was dead-lettered without its handler ever running.
    const { on: handed, a, b, handled, tries, options } = handOff('handedback', 'handed_back');
    const one = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const { held, release } = holdUntilReleased();
    await one.subscribe(handed, recordTries(tries, handled, held), options);
    await bus.publish(handed, a!);
    await bus.publish(handed, b!);
    await waitFor(
      async () =>
        tries.length === 1 &&
        (await jsm.consumers.info(naming.stream('MD_CANDLE'), 'handed_back')).num_ack_pending === 2,
      'a held, b pulled ahead',
    );
    // Until b, sent to this instance, has reached it: a ping answered after it.
    await (one as unknown as { nc: NatsConnection }).nc.flush();
    // A second instance already running (a rolling restart) takes what the first hands back.
    const two = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    try {
      await two.subscribe(handed, recordTries(tries, handled), options);
      await expectEachHandledOnce(one.drain(), release, { a, b, handled, tries });
    } finally {
      await two.drain();
    }
  });

  it('hands back a message still in transit to a stopping instance, without counting it as a try', async () => {
    // A consumer closed at a stop unsubscribed at once: a message the server had already sent it but
    // that had not been read yet was dropped, came back only after the 30 s ack wait, and counted as a
    // try of its handler with no hand-back recorded.
    const { on: transit, a, b, handled, tries, options } = handOff('intransit', 'in_transit');
    const one = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const two = await NatsBus.connect({ source: 'orders', clock, servers, prefix });
    const { held, release } = holdUntilReleased();
    try {
      await one.subscribe(transit, recordTries(tries, handled, held), options);
      await bus.publish(transit, a!);
      await waitFor(() => tries.length === 1, 'a held by the first instance');
      await two.subscribe(transit, recordTries(tries, handled), options);
      // b goes to the first instance (its pull request is the older) while it reads nothing, and
      // the stop starts before it has read b, which is handed back to the second (a rolling restart).
      const socket = (one as unknown as { nc: { protocol: { transport: { socket: Socket } } } }).nc.protocol
        .transport.socket;
      socket.pause();
      await bus.publish(transit, b!);
      await waitFor(
        async () =>
          (await jsm.consumers.info(naming.stream('MD_CANDLE'), 'in_transit')).num_ack_pending === 2,
        'b sent to the first instance',
      );
      const stopping = one.drain();
      socket.resume();
      await expectEachHandledOnce(stopping, release, { a, b, handled, tries });
    } finally {
      release();
      await one.drain();
      await two.drain();
    }
  });

  it('reports unhealthy while a lost durable cannot be created again (its stream gone), then consumes again', async () => {
    const ownPrefix = `${uniqueName('bus_lost_stream')}.`;
    const ownNaming = new NatsNaming(ownPrefix);
    const own = await NatsBus.connect({ source: 'risk', clock, servers, prefix: ownPrefix });
    const seen: number[] = [];
    try {
      await own.ensureStreams();
      await own.subscribe(binance, (m) => void seen.push(m.payload.openTime), { durable: 'lost_stream' });
      await own.publish(binance, first!);
      await waitFor(() => seen.length === 1, 'the durable consuming');
      await jsm.streams.delete(ownNaming.stream('MD_CANDLE'));
      await waitFor(() => !own.isHealthy(), 'the bus to report its durable lost');
      await own.ensureStreams();
      // Stored before the durable is back (it is tried again each second): delivered all the same.
      await own.publish(binance, second!);
      await waitFor(() => own.isHealthy(), 'the bus healthy once its durable is back');
      await waitFor(() => seen.length === 2, 'the candle published while the durable was gone');
      expect(seen).toEqual([first!.openTime, second!.openTime]);
    } finally {
      await own.drain();
      await deleteStreams(jsm, ownNaming);
    }
  });

  it('dead-letters a foreign message too large to be quoted whole, keeping its start', async () => {
    // 700 kB of quotes: escaped into a dead letter it is 1.4 MB, over NATS's 1 MB max_payload, so the
    // dead letter could never be published and the message was redelivered without end.
    const big = subject(Subjects.candle, { exchange: 'bigjunk', symbol: 'BTC-USDT', timeframe: '4h' });
    await bus.subscribe(big, () => {}, { durable: 'big_junk', backoffMs: [50] });
    const junk = '"'.repeat(700_000);
    nc.publish(naming.subject(big.value), new TextEncoder().encode(junk));
    await nc.flush();
    const dlqStream = naming.stream('DLQ');
    const dlqSubject = naming.subject(deadLetterSubject(big.value).value);
    const m = await waitFor(
      () => jsm.streams.getMessage(dlqStream, { last_by_subj: dlqSubject }).catch(() => null),
      'the dead letter of the large message',
    );
    const letter = envelopeSchema(DeadLetter).parse(m?.json());
    expect(letter.payload.error).toContain('malformed JSON');
    expect(letter.payload.raw).toBe(
      `${junk.slice(0, DEAD_LETTER_RAW_MAX)}…[cut: ${DEAD_LETTER_RAW_MAX} of 700000 characters kept]`,
    );
  });

  it('refuses a prefix that is not dot-terminated tokens, and refuses to delete unprefixed streams', async () => {
    await expect(NatsBus.connect({ source: 'x', clock, servers, prefix: 'no-dot' })).rejects.toMatchObject({
      reason: 'transport',
    });
    await expect(deleteStreams(jsm, new NatsNaming(''))).rejects.toMatchObject({ reason: 'transport' });
  });
});

/** A candle handler recording each delivery's try and each candle handled, waiting for `held` first. */
function recordTries(tries: number[], handled: number[], held?: Promise<void>): Handler<Candle> {
  return async (m, context) => {
    tries.push(context.deliveries);
    await held;
    handled.push(m.payload.openTime);
  };
}

/** A promise pending until `release` is called (a handler held while a test stops its bus). */
function holdUntilReleased(): { held: Promise<void>; release: () => void } {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { held, release };
}

/** Two candles on their own subject, and what a test handing them between instances records. */
function handOff(exchange: string, durable: string) {
  const [a, b] = recordedCandles(2).map((x) => ({ ...x, exchange }));
  return {
    on: subject(Subjects.candle, { exchange, symbol: 'BTC-USDT', timeframe: '4h' }),
    a: a!,
    b: b!,
    handled: [] as number[],
    tries: [] as number[],
    options: { durable, maxDeliver: 1 },
  };
}

/** Releases the held handler of a stopping instance; a and b are then each handled once, on a first try. */
async function expectEachHandledOnce(
  stopping: Promise<void>,
  release: () => void,
  { a, b, handled, tries }: Pick<ReturnType<typeof handOff>, 'a' | 'b' | 'handled' | 'tries'>,
): Promise<void> {
  release();
  await stopping;
  await waitFor(() => handled.length === 2, 'b handled after the stop');
  expect(handled).toEqual([a.openTime, b.openTime]);
  expect(tries).toEqual([1, 1]);
}

/**
 * Deletes a durable as an operator (or a lost server store) would. The server may refuse while the
 * durable is busy ("unlinkat …: directory not empty"), having deleted it or not: asked again until
 * the durable is gone.
 */
async function deleteByHand(jsm: JetStreamManager, stream: string, durable: string): Promise<void> {
  await waitFor(
    () =>
      jsm.consumers.delete(stream, durable).catch(() =>
        jsm.consumers.info(stream, durable).then(
          () => false,
          () => true,
        ),
      ),
    `${durable} deleted by hand`,
  );
}
