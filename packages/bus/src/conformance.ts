import {
  type Candle,
  type DeadLetter,
  deadLetterSubject,
  type Envelope,
  pattern,
  Rpc,
  type RpcEndpoint,
  Subjects,
  subject,
} from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Bus, BusDeps, BusLogger, BusObserver, Handler } from './bus';
import { BusError, isBusError } from './bus-error';
import { deadLetterId } from './delivery';
import { DUPLICATE_WINDOW_MS } from './duplicate-window';
import { randomIds } from './random-ids';
import { recordedCandles } from './recorded-candles';

/** What the shared suite needs from a transport. */
export interface BusTransport {
  /** A bus for one service; buses of one transport see each other's messages. */
  makeBus(deps: BusDeps): Promise<Bus>;
  /** Puts bytes on a logical subject without validation, as a foreign or broken producer would. */
  publishRaw(subjectValue: string, raw: string): Promise<void>;
  /**
   * Makes the DLQ stream refuse publishes (NATS: the stream deleted) until the returned function
   * brings it back, empty.
   */
  refuseDeadLetters(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

interface Recorder {
  observer: BusObserver;
  log: BusLogger;
  messages: Array<Parameters<BusObserver['message']>[0]>;
  handled: Array<Parameters<BusObserver['handled']>[0]>;
  lines: Array<{ level: string; msg: string; obj: object }>;
}

function recorder(): Recorder {
  const r: Recorder = {
    messages: [],
    handled: [],
    lines: [],
    observer: { message: (e) => r.messages.push(e), handled: (e) => r.handled.push(e) },
    log: {
      info: (obj, msg) => r.lines.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => r.lines.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => r.lines.push({ level: 'error', obj, msg }),
    },
  };
  return r;
}

const Echo: RpcEndpoint<{ text: string }, { echoed: string }> = {
  subject: 'rpc.conformance.echo',
  request: z.object({ text: z.string().min(1) }),
  response: z.object({ echoed: z.string() }),
};
const Nobody: RpcEndpoint<{ text: string }, { echoed: string }> = {
  ...Echo,
  subject: 'rpc.conformance.nobody',
};

/** Never served: a request with a record, refused before it leaves. */
const Labelled: RpcEndpoint<{ labels: Record<string, string> }, Record<string, never>> = {
  subject: 'rpc.conformance.labelled',
  request: z.object({ labels: z.record(z.string(), z.string()) }),
  response: z.object({}),
};

function collect<T>(): {
  handler: Handler<T>;
  seen: Array<Envelope<T>>;
  contexts: Array<{ subject: string; deliveries: number }>;
} {
  const seen: Array<Envelope<T>> = [];
  const contexts: Array<{ subject: string; deliveries: number }> = [];
  return {
    seen,
    contexts,
    handler: (m, ctx) => {
      seen.push(m);
      contexts.push({ subject: ctx.subject, deliveries: ctx.deliveries });
    },
  };
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/**
 * One behaviour, every transport: each Bus implementation calls this from its own test file.
 * Candle payloads come from the recorded file named in recorded-candles.ts.
 */
export function runBusConformance(name: string, makeTransport: () => Promise<BusTransport>): void {
  describe(`Bus conformance: ${name}`, () => {
    let transport: BusTransport;
    const buses: Bus[] = [];
    let durables = 0;
    const start = 1_700_000_000_000;
    let now = start;
    const clock = { now: () => now };
    const candles = recordedCandles(30);
    const first = candles[0]!;
    const binance = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const bybit = subject(Subjects.candle, { exchange: 'bybit', symbol: 'BTC-USDT', timeframe: '4h' });
    const durable = (label: string) => `${label}_${++durables}`;

    async function bus(source = 'signals', rec = recorder()): Promise<Bus> {
      const b = await transport.makeBus({
        source,
        clock,
        ids: randomIds(clock),
        observer: rec.observer,
        log: rec.log,
      });
      buses.push(b);
      return b;
    }

    /**
     * Resolves once a request to `endpoint` reaches a responder. On a NATS cluster a new responder's
     * interest reaches the other nodes a moment after `serve` resolved on its own node, and until then
     * a client on another node is told that nobody serves the subject.
     */
    async function served<Req, Res>(
      client: Bus,
      endpoint: RpcEndpoint<Req, Res>,
      request: Req,
    ): Promise<void> {
      await waitFor(async () => {
        const err = await client.request(endpoint, request, { timeoutMs: 200 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        return !(isBusError(err) && err.reason === 'no_responders');
      }, `a responder for ${endpoint.subject}`);
    }

    beforeAll(async () => {
      transport = await makeTransport();
    });
    afterEach(async () => {
      now = start;
      await Promise.all(buses.splice(0).map((b) => b.drain()));
    });
    afterAll(async () => {
      await transport?.close();
    });

    it('delivers a published candle with the envelope the bus built', async () => {
      const producer = await bus('market-data');
      const consumer = await bus('signals');
      const got = collect<Candle>();
      await consumer.subscribe(binance, got.handler, { durable: durable('roundtrip') });
      const sent = await producer.publish(binance, first, { eventTime: first.closeTime });
      await waitFor(() => got.seen.length === 1, 'the candle');
      expect(got.seen[0]).toEqual({
        id: sent.id,
        type: 'CandleClosed',
        version: 1,
        eventTime: first.closeTime,
        emittedAt: now,
        source: 'market-data',
        correlationId: sent.id,
        causationId: null,
        payload: first,
      });
      expect(got.contexts[0]).toEqual({ subject: binance.value, deliveries: 1 });
    });

    it('carries correlation and causation from the causing message', async () => {
      const b = await bus();
      const got = collect<Candle>();
      await b.subscribe(binance, got.handler, { durable: durable('causation') });
      const cause = await b.publish(binance, first, { correlationId: 'trade-idea-1' });
      const effect = await b.publish(binance, candles[1]!, { causedBy: cause });
      await waitFor(() => got.seen.length === 2, 'both candles');
      expect(got.seen[1]).toMatchObject({
        id: effect.id,
        correlationId: 'trade-idea-1',
        causationId: cause.id,
      });
    });

    it('filters by pattern: binance candles reach the subscriber, bybit ones do not', async () => {
      const b = await bus();
      const got = collect<Candle>();
      await b.subscribe(pattern(Subjects.candle, { exchange: 'binance' }), got.handler, {
        durable: durable('pattern'),
      });
      await b.publish(bybit, { ...first, exchange: 'bybit' });
      await b.publish(binance, first);
      const last = await b.publish(
        subject(Subjects.candle, { exchange: 'binance', symbol: 'ETH-USDT', timeframe: '4h' }),
        {
          ...candles[1]!,
          symbol: 'ETH-USDT',
        },
      );
      await waitFor(() => got.seen.some((m) => m.id === last.id), 'the last binance candle');
      expect(got.seen.map((m) => m.payload.exchange)).toEqual(['binance', 'binance']);
      expect(got.contexts.map((c) => c.subject)).toEqual([binance.value, 'md.candle.binance.ETH-USDT.4h']);
    });

    it('preserves publish order per subject', async () => {
      const b = await bus();
      const got = collect<Candle>();
      await b.subscribe(binance, got.handler, { durable: durable('order') });
      for (const c of candles) await b.publish(binance, c);
      await waitFor(() => got.seen.length === candles.length, 'every candle');
      expect(got.seen.map((m) => m.payload.openTime)).toEqual(candles.map((c) => c.openTime));
    });

    it('shares one durable between two subscribers: each message is handled once', async () => {
      const name = durable('shared');
      const a = collect<Candle>();
      const b = collect<Candle>();
      await (await bus('risk')).subscribe(binance, a.handler, { durable: name });
      await (await bus('risk')).subscribe(binance, b.handler, { durable: name });
      const producer = await bus('market-data');
      const sent: string[] = [];
      for (const c of candles.slice(0, 10)) sent.push((await producer.publish(binance, c)).id);
      await waitFor(() => a.seen.length + b.seen.length >= 10, 'ten deliveries');
      const sentinel = await producer.publish(binance, candles[10]!);
      await waitFor(() => [...a.seen, ...b.seen].some((m) => m.id === sentinel.id), 'the sentinel');
      const handled = [...a.seen, ...b.seen].map((m) => m.id).filter((id) => id !== sentinel.id);
      expect(handled.sort()).toEqual([...sent].sort());
    });

    it('de-duplicates a message published again with one envelope id within the duplicate window', async () => {
      const rec = recorder();
      const b = await bus('market-data', rec);
      const got = collect<Candle>();
      await b.subscribe(binance, got.handler, { durable: durable('dedup') });
      const once = await b.publish(binance, first);
      await b.publishEnvelope(binance, once);
      await b.publish(binance, first, { id: once.id });
      // The bus clock moves; NATS measures its window on the server's clock, the in-process hub on this.
      now = start + DUPLICATE_WINDOW_MS - 1;
      await b.publishEnvelope(binance, once);
      const sentinel = await b.publish(binance, candles[1]!);
      await waitFor(() => got.seen.some((m) => m.id === sentinel.id), 'the sentinel');
      expect(got.seen.map((m) => m.id)).toEqual([once.id, sentinel.id]);
      const out = rec.messages.filter((m) => m.direction === 'out').map((m) => m.outcome);
      expect(out).toEqual(['ok', 'duplicate', 'duplicate', 'duplicate', 'ok']);
    });

    it('refuses a symbol key (only an in-process caller can send one) with a typed error naming it', async () => {
      const rec = recorder();
      const b = await bus('risk', rec);
      const labels = { [Symbol('trace')]: 'x' };
      const alert = { severity: 'warning', kind: 'probe', message: 'symbol key', labels } as const;
      const published = await b.publish(subject(Subjects.alert, {}), alert).catch((e: unknown) => e);
      expect(published).toBeInstanceOf(BusError);
      expect(published).toMatchObject({
        reason: 'invalid_payload',
        message: 'invalid alert payload: labels.Symbol(trace): Invalid key in record',
      });
      expect(rec.messages).toEqual([{ family: 'alert', direction: 'out', outcome: 'invalid' }]);
      const requested = await b.request(Labelled, { labels }).catch((e: unknown) => e);
      expect(requested).toBeInstanceOf(BusError);
      expect(requested).toMatchObject({
        reason: 'invalid_request',
        message: `invalid request for ${Labelled.subject}: labels.Symbol(trace): Invalid key in record`,
      });
    });

    it('refuses to publish an invalid payload with a typed error and publishes nothing', async () => {
      const rec = recorder();
      const b = await bus('market-data', rec);
      const got = collect<Candle>();
      await b.subscribe(binance, got.handler, { durable: durable('outvalid') });
      const inverted = { ...first, high: first.low - 1 };
      await expect(b.publish(binance, inverted)).rejects.toMatchObject({
        name: 'BusError',
        reason: 'invalid_payload',
      });
      await expect(b.publish(binance, { ...first, close: Number.NaN })).rejects.toSatisfy((e) =>
        isBusError(e, 'invalid_payload'),
      );
      await expect(b.publish(binance, first, { id: 'not-a-uuid' })).rejects.toSatisfy((e) =>
        isBusError(e, 'invalid_envelope'),
      );
      const sentinel = await b.publish(binance, first);
      await waitFor(() => got.seen.length > 0, 'the valid candle');
      expect(got.seen.map((m) => m.id)).toEqual([sentinel.id]);
      expect(rec.messages.filter((m) => m.outcome === 'invalid')).toHaveLength(3);
      expect(rec.lines.filter((l) => l.level === 'warn' && l.msg === 'bus: refused to publish')).toHaveLength(
        3,
      );
    });

    it('dead-letters invalid inbound messages with their error and goes on with the next', async () => {
      const rec = recorder();
      const b = await bus('signals', rec);
      const got = collect<Candle>();
      const letters = collect<DeadLetter>();
      await b.subscribe(binance, got.handler, { durable: durable('invalid') });
      await b.subscribe(deadLetterSubject(binance.value), letters.handler, { durable: durable('dlq') });
      const ids = randomIds(clock);
      const header = {
        type: 'CandleClosed',
        version: 1,
        eventTime: now,
        emittedAt: now,
        source: 'market-data',
        causationId: null,
      };
      const inverted = JSON.stringify({
        ...header,
        id: ids(),
        correlationId: 'c1',
        payload: { ...first, high: first.low - 1 },
      });
      const negative = JSON.stringify({
        ...header,
        id: ids(),
        correlationId: 'c2',
        payload: { ...first, low: -1 },
      });
      const wrongType = JSON.stringify({
        ...header,
        type: 'TradeReceived',
        id: ids(),
        correlationId: 'c3',
        payload: first,
      });
      const malformed = '{"id": "truncated';
      for (const raw of [inverted, negative, wrongType, malformed])
        await transport.publishRaw(binance.value, raw);
      const valid = await (await bus('market-data')).publish(binance, first);
      await waitFor(
        () => got.seen.length === 1 && letters.seen.length === 4,
        'the valid candle and four dead letters',
      );
      expect(got.seen[0]!.id).toBe(valid.id);
      const payloads = letters.seen.map((l) => l.payload);
      expect(payloads.map((p) => p.raw)).toEqual([inverted, negative, wrongType, malformed]);
      expect(payloads[0]!.error).toContain('high < low');
      expect(payloads[1]!.error).toContain('low');
      expect(payloads[2]!.error).toContain('TradeReceived');
      expect(payloads[3]!.error).toContain('malformed JSON');
      expect(
        payloads.every(
          (p) => p.subject === binance.value && p.deliveries === 1 && p.consumer?.startsWith('invalid_'),
        ),
      ).toBe(true);
      expect(letters.seen[0]).toMatchObject({
        type: 'MessageRejected',
        source: 'signals',
        correlationId: 'c1',
      });
      expect(letters.contexts[0]!.subject).toBe(`dlq.${binance.value}`);
      const inbound = rec.messages
        .filter((m) => m.direction === 'in' && m.family === 'md.candle')
        .map((m) => m.outcome);
      expect(inbound).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'ok']);
      expect(rec.lines.filter((l) => l.msg === 'bus: invalid message')).toHaveLength(4);
    });

    it('redelivers after a crash before ack; an idempotent handler applies the message once', async () => {
      const b = await bus();
      const applied = new Set<string>();
      const effects: number[] = [];
      const deliveries: number[] = [];
      await b.subscribe(
        binance,
        (m, ctx) => {
          deliveries.push(ctx.deliveries);
          if (!applied.has(m.id)) {
            applied.add(m.id);
            effects.push(m.payload.openTime);
          }
          if (ctx.deliveries === 1) throw new Error('crashed before ack');
        },
        { durable: durable('crash'), backoffMs: [10] },
      );
      await b.publish(binance, first);
      await waitFor(() => deliveries.length === 2, 'the redelivery');
      expect(deliveries).toEqual([1, 2]);
      expect(effects).toEqual([first.openTime]);
    });

    it('dead-letters a message after maxDeliver failures with the last error', async () => {
      const rec = recorder();
      const b = await bus('orders', rec);
      const letters = collect<DeadLetter>();
      let calls = 0;
      const name = durable('poison');
      await b.subscribe(deadLetterSubject(binance.value), letters.handler, {
        durable: durable('poison_dlq'),
      });
      await b.subscribe(
        binance,
        () => {
          calls++;
          throw new Error(`boom ${calls}`);
        },
        { durable: name, maxDeliver: 3, backoffMs: [10, 20] },
      );
      const sent = await b.publish(binance, first);
      await waitFor(() => letters.seen.length === 1, 'the dead letter');
      expect(calls).toBe(3);
      expect(letters.seen[0]!.payload).toMatchObject({
        subject: binance.value,
        error: 'boom 3',
        consumer: name,
        deliveries: 3,
      });
      expect(JSON.parse(letters.seen[0]!.payload.raw).id).toBe(sent.id);
      expect(letters.seen[0]).toMatchObject({
        id: deadLetterId(name, sent.id),
        causationId: sent.id,
        correlationId: sent.correlationId,
      });
      const inbound = rec.messages
        .filter((m) => m.family === 'md.candle' && m.direction === 'in')
        .map((m) => m.outcome);
      expect(inbound).toEqual(['error', 'error', 'dead_lettered']);
      expect(rec.handled.filter((h) => h.family === 'md.candle').map((h) => h.outcome)).toEqual([
        'error',
        'error',
        'error',
      ]);
    });

    it('keeps a message whose dead letter cannot be stored on its last delivery, and dead-letters it once it can', async () => {
      // A backtest previews live: NatsBus keeps such a message (ADR 2, 2026-11-25), so MemoryBus must
      // not drop it where live would dead-letter it later.
      const rec = recorder();
      const b = await bus('orders', rec);
      const dlqDown = subject(Subjects.candle, { exchange: 'dlqdown', symbol: 'BTC-USDT', timeframe: '4h' });
      let calls = 0;
      const name = durable('dlq_down');
      const restore = await transport.refuseDeadLetters();
      let restored = false;
      try {
        await b.subscribe(
          dlqDown,
          () => {
            calls++;
            throw new Error(`venue away ${calls}`);
          },
          { durable: name, maxDeliver: 2, backoffMs: [50] },
        );
        const sent = await b.publish(dlqDown, { ...first, exchange: 'dlqdown' });
        await waitFor(
          () => rec.lines.some((l) => l.msg === 'bus: dead-lettering failed'),
          'the dead letter to fail',
        );
        await restore();
        restored = true;
        const letters = collect<DeadLetter>();
        await b.subscribe(deadLetterSubject(dlqDown.value), letters.handler, {
          durable: durable('dlq_down_letters'),
          deliverFrom: 'all',
        });
        await waitFor(() => letters.seen.length === 1, 'the dead letter once the DLQ is back');
        expect(letters.seen[0]).toMatchObject({ id: deadLetterId(name, sent.id), causationId: sent.id });
        expect(letters.seen[0]!.payload).toMatchObject({ subject: dlqDown.value, consumer: name });
        expect(letters.seen[0]!.payload.error).toContain('within 2 deliveries');
        // The handler ran its two deliveries only: the later ones were for the dead letter.
        expect(calls).toBe(2);
      } finally {
        if (!restored) await restore();
      }
    });

    it('starts a durable from everything retained when asked', async () => {
      const retained = subject(Subjects.candle, {
        exchange: 'retained',
        symbol: 'BTC-USDT',
        timeframe: '4h',
      });
      const b = await bus();
      const sent = candles.slice(0, 3).map((c) => ({ ...c, exchange: 'retained' }));
      for (const c of sent) await b.publish(retained, c);
      const got = collect<Candle>();
      await b.subscribe(retained, got.handler, { durable: durable('retained'), deliverFrom: 'all' });
      await waitFor(() => got.seen.length === 3, 'the retained candles');
      expect(got.seen.map((m) => m.payload)).toEqual(sent);
    });

    it('refuses a durable that already exists with another filter', async () => {
      const b = await bus();
      const name = durable('conflict');
      await b.subscribe(binance, () => {}, { durable: name });
      await expect(b.subscribe(bybit, () => {}, { durable: name })).rejects.toMatchObject({
        reason: 'consumer_conflict',
      });
    });

    it('answers requests with validated responses and types every failure', async () => {
      const server = await bus('risk');
      const client = await bus('cli');
      await server.serve(Rpc.controlState, () => ({ engaged: true, reason: 'manual', since: now }));
      await server.serve(Echo, (req) => {
        if (req.text === 'fail') throw new Error('refused');
        return { echoed: req.text.toUpperCase() };
      });
      await served(client, Rpc.controlState, {});
      await served(client, Echo, { text: 'ping' });
      expect(await client.request(Rpc.controlState, {})).toEqual({
        engaged: true,
        reason: 'manual',
        since: now,
      });
      expect(await client.request(Echo, { text: 'ping' })).toEqual({ echoed: 'PING' });
      await expect(client.request(Echo, { text: '' })).rejects.toMatchObject({ reason: 'invalid_request' });
      await expect(client.request(Echo, { text: 'fail' })).rejects.toMatchObject({ reason: 'remote_error' });
      await expect(client.request(Nobody, { text: 'x' }, { timeoutMs: 500 })).rejects.toMatchObject({
        reason: 'no_responders',
      });
    });

    it('fails a request with request_timeout when the server does not answer in time', async () => {
      const server = await bus('risk');
      const client = await bus('cli');
      const release = gate();
      await server.serve(Echo, async (req) => {
        await release.wait;
        return { echoed: req.text };
      });
      // The probe waits on the gate too: it times out, which shows a responder is there.
      await served(client, Echo, { text: 'probe' });
      const err = await client.request(Echo, { text: 'slow' }, { timeoutMs: 200 }).catch((e: unknown) => e);
      release.open();
      expect(err).toBeInstanceOf(BusError);
      expect((err as BusError).reason).toBe('request_timeout');
    });

    it('drain lets the in-flight handler finish before it resolves, then refuses work', async () => {
      const b = await bus();
      const started = gate();
      const release = gate();
      let finished = false;
      await b.subscribe(
        binance,
        async () => {
          started.open();
          await release.wait;
          finished = true;
        },
        { durable: durable('drain') },
      );
      expect(b.isHealthy()).toBe(true);
      await (await bus('market-data')).publish(binance, first);
      await started.wait;
      const drained = b.drain().then(() => finished);
      release.open();
      expect(await drained).toBe(true);
      expect(b.isHealthy()).toBe(false);
      await expect(b.publish(binance, first)).rejects.toMatchObject({ reason: 'closed' });
    });
  });
}
