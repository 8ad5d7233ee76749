import {
  type DeadLetter,
  DeadLetters,
  deadLetterSubject,
  type Envelope,
  type EnvelopeHeader,
  type IdGenerator,
  type RpcEndpoint,
  type Subject,
  type SubjectFamily,
  type SubjectPattern,
} from '@ballast/contracts';
import {
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import type {
  Bus,
  BusDeps,
  BusLogger,
  BusObserver,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './bus';
import { BusError } from './bus-error';
import {
  type DeliveryServices,
  type DeliveryTarget,
  deliveryTarget,
  errorText,
  processDelivery,
} from './delivery';
import { buildEnvelope, wireBytes } from './envelope-codec';
import { HandedBack } from './handed-back';
import { KeptAliveMessages, type StuckHandlers } from './kept-alive-messages';
import { closeWhenLost, isMissing, type WatchedConsumer } from './lost-durable';
import { type DurableSpec, ensureDurable, justAfter, nanosOf } from './nats-consumer';
import { NatsNaming } from './nats-naming';
import { readRetained } from './nats-retained';
import { natsTarget } from './nats-servers';
import { ensureStreams } from './nats-streams';
import { validateOutbound } from './outbound';
import { randomIds } from './random-ids';
import { RepeatedErrors } from './repeated-errors';
import { answerRequest, decodeReply, encodeRequest } from './rpc-wire';
import { silentLog, silentObserver } from './silent-log';

export interface NatsBusOptions extends BusDeps {
  servers: string | string[];
  /** Prepended to every subject and (dots as underscores) every stream name, e.g. `t_x_ab12.`. */
  prefix?: string;
  /**
   * How long the server waits for an ack before redelivering (a crashed handler); default 30 s. A
   * message being handled, or waiting for its turn, is marked in progress every third of it, so a slow
   * handler does not get its messages redelivered.
   */
  ackWaitMs?: number;
  /**
   * A handler still running this long is logged as an error and counted (outcome `stuck`), once per
   * message: its durable delivers nothing else meanwhile (default 10 minutes, well past the longest
   * agent call with its retries).
   */
  stuckHandlerMs?: number;
  /** Messages a consumer pulls ahead of its handler, and most it holds unacknowledged (default 32). */
  pullBatch?: number;
  /** Copies of each stream kept by a NATS cluster (default 1; 3 on a three-node cluster). */
  replicas?: number;
}

const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_PULL_BATCH = 32;
const DEFAULT_STUCK_HANDLER_MS = 600_000;
/** Between tries to create a lost durable again (its stream may be missing until a service creates it). */
const RECREATE_RETRY_MS = 1_000;
/** Tries, a second apart, to ask the server for a durable after a reconnect. */
const RECONNECT_CHECKS = 30;
/** Longest a stopping consumer waits for what the server already sent it (see `receiveSent`). */
const FLUSH_AT_STOP_MS = 2_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JetStream transport: streams from STREAMS, durable pull consumers, DLQ, core NATS request/reply. */
export class NatsBus implements Bus {
  readonly source: string;
  readonly naming: NatsNaming;
  private readonly js: JetStreamClient;
  private readonly ids: IdGenerator;
  private readonly observer: BusObserver;
  private readonly log: BusLogger;
  /** Failed publishes, one line per subject family every few seconds: an outage fails every one. */
  private readonly publishErrors: RepeatedErrors;
  /** Messages handed back unhandled at a stop: not a try of their handler (see `HandedBack`). */
  private readonly handedBack: HandedBack;
  private readonly subscriptions = new Set<Subscription>();
  /** Durables the server lost and this bus has not created again yet (`stream/durable`): not healthy. */
  private readonly lostDurables = new Set<string>();
  /** Run after each reconnect: a server restarted without its store has none of our durables. */
  private readonly afterReconnect = new Set<() => Promise<void>>();
  private connected = true;
  private closing = false;
  private drained: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsBusOptions,
  ) {
    this.source = options.source;
    this.naming = new NatsNaming(options.prefix);
    this.js = jetstream(nc);
    this.handedBack = new HandedBack(jsm, this.js, this.naming);
    this.ids = options.ids ?? randomIds(options.clock);
    this.observer = options.observer ?? silentObserver;
    this.log = options.log ?? silentLog;
    this.publishErrors = new RepeatedErrors(this.log, () => options.clock.now());
    void this.watchStatus();
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    new NatsNaming(options.prefix);
    // Credentials in the URL (nats://user:pass@host) are passed apart; errors name the servers without them.
    const target = natsTarget(options.servers);
    // noAsyncTraces: nats.js otherwise builds an Error (a captured stack) for every request, and each
    // JetStream publish is one (its PubAck): measurable CPU on every hop. Failures are wrapped in a
    // BusError naming the subject anyway.
    const nc = await connect({
      ...target,
      name: options.source,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    try {
      return new NatsBus(nc, await jetstreamManager(nc), options);
    } catch (err) {
      await nc.close();
      throw new BusError(
        'transport',
        `JetStream unavailable at ${target.servers.join(',')}: ${errorText(err)}`,
        { cause: err },
      );
    }
  }

  /** Creates or updates every stream of STREAMS under this bus's prefix. */
  ensureStreams(): Promise<void> {
    return ensureStreams(this.jsm, this.naming, this.options.replicas);
  }

  async publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<Envelope<T>> {
    const envelope = buildEnvelope(
      { source: this.source, clock: this.options.clock, ids: this.ids },
      subject.family,
      payload,
      options,
    );
    return this.send(subject.family, subject.value, envelope);
  }

  async publishEnvelope<T>(subject: Subject<T>, envelope: Envelope<T>): Promise<void> {
    await this.send(subject.family, subject.value, envelope);
  }

  async subscribe<T>(
    on: Subject<T> | SubjectPattern<T>,
    handler: Handler<T>,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    this.open();
    const target = deliveryTarget(on.family, handler, options);
    const stream = this.naming.stream(on.family.stream);
    const ackWaitMs = this.options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    const pullBatch = this.options.pullBatch ?? DEFAULT_PULL_BATCH;
    const spec: DurableSpec = {
      stream,
      durable: options.durable,
      filter: this.naming.subject(on.value),
      ackWaitMs,
      maxAckPending: pullBatch,
      fromStart: options.deliverFrom === 'all',
    };
    await ensureDurable(this.jsm, spec);
    const acked = await this.ackedUpTo(spec);
    return this.track(this.runConsumer(spec, await this.consume(spec), target, acked));
  }

  /**
   * Stored time of the durable's ack floor (the last message it settled, by any process), or of its
   * creation when it has settled nothing: where it resumes if the server loses it before this process
   * handles anything. Undefined (start as subscribed) for a durable from the start that settled nothing,
   * or when the server cannot tell.
   */
  private async ackedUpTo(spec: DurableSpec): Promise<bigint | undefined> {
    try {
      const info = await this.jsm.consumers.info(spec.stream, spec.durable);
      const floor = info.ack_floor.stream_seq;
      if (floor === 0 && spec.fromStart) return undefined;
      const settled = floor > 0 ? await this.jsm.streams.getMessage(spec.stream, { seq: floor }) : null;
      return settled === null ? nanosOf(info.created) - 1n : nanosOf(settled.timestamp);
    } catch (err) {
      this.log.warn(
        { durable: spec.durable, stream: spec.stream, error: errorText(err) },
        'bus: where the durable stands could not be read, it resumes as subscribed if lost',
      );
      return undefined;
    }
  }

  /**
   * What the stream of `on` still holds on each of its subjects, published at or after `since(subject)`
   * (undefined: that subject is not read), oldest first per subject; read without a durable or acks, so no
   * consumer's deliveries change. For a service warming its memory at start.
   */
  async retained<T>(
    on: SubjectPattern<T>,
    since: (subject: string) => number | undefined,
  ): Promise<Envelope<T>[]> {
    this.open();
    const read = { family: on.family, filter: this.naming.subject(on.value), since };
    try {
      return await readRetained(this.jsm, this.js, this.naming, read);
    } catch (err) {
      throw new BusError('transport', `reading retained ${on.value} failed: ${errorText(err)}`, {
        cause: err,
      });
    }
  }

  async request<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    request: Req,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    this.open();
    const body = encodeRequest(endpoint, request);
    const timeout = options?.timeoutMs ?? 5_000;
    try {
      const reply = await this.nc.request(this.naming.subject(endpoint.subject), encoder.encode(body), {
        timeout,
      });
      return decodeReply(endpoint, reply.string());
    } catch (err) {
      throw requestFailure(err, endpoint.subject, timeout);
    }
  }

  async serve<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    handler: (request: Req) => Promise<Res> | Res,
  ): Promise<Subscription> {
    this.open();
    // A queue group: several instances of one service share the requests.
    const sub = this.nc.subscribe(this.naming.subject(endpoint.subject), {
      queue: endpoint.subject,
      callback: (err, msg) => {
        if (err) {
          this.log.error(
            { subject: endpoint.subject, error: errorText(err) },
            'bus: endpoint subscription failed',
          );
          return;
        }
        void answerRequest(endpoint, msg.string(), handler, this.log).then((reply) =>
          msg.respond(encoder.encode(reply)),
        );
      },
    });
    await this.nc.flush();
    return this.track({ stop: () => sub.drain() });
  }

  isHealthy(): boolean {
    return this.connected && !this.closing && !this.nc.isClosed() && this.lostDurables.size === 0;
  }

  drain(): Promise<void> {
    this.drained ??= (async () => {
      this.closing = true;
      await Promise.all([...this.subscriptions].map((s) => s.stop()));
      await this.nc.drain();
    })();
    return this.drained;
  }

  private async send<T>(
    family: SubjectFamily<T>,
    subjectValue: string,
    envelope: Envelope<T>,
  ): Promise<Envelope<T>> {
    this.open();
    const checked = validateOutbound(family, envelope, this.observer, this.log);
    let duplicate: boolean;
    try {
      const ack = await this.js.publish(this.naming.subject(subjectValue), wireBytes(checked), {
        msgID: checked.id,
      });
      duplicate = ack.duplicate;
    } catch (err) {
      this.publishErrors.error(
        family.name,
        { subject: subjectValue, id: checked.id, error: errorText(err) },
        'bus: publish failed',
      );
      throw new BusError(
        'transport',
        `publish to ${subjectValue} failed (is its stream created?): ${errorText(err)}`,
        { cause: err },
      );
    }
    this.observer.message({ family: family.name, direction: 'out', outcome: duplicate ? 'duplicate' : 'ok' });
    return checked;
  }

  private runConsumer<T>(
    spec: DurableSpec,
    first: ConsumerMessages,
    target: DeliveryTarget<T>,
    acked: bigint | undefined,
  ): Subscription {
    let stopping = false;
    let messages = first;
    // Stored time of the last message handled: a durable created again resumes after it, so nothing
    // stored while it was gone (up to half a minute until the client notices) is skipped.
    // Before this process handles anything, the durable's ack floor: a durable lost then resumed from
    // new messages, skipping what was stored while it was gone.
    let handledUpTo: bigint | undefined = acked;
    // Messages nak'd for a retry and not yet settled (stream sequence → stored time): a durable created
    // again resumes at the oldest of them, since the server forgot their redelivery with the old durable.
    const awaitingRetry = new Map<number, bigint>();
    // When the durable's ack floor was last read to forget retries another instance settled.
    let settledCheckedAt = Number.NEGATIVE_INFINITY;
    let watched: WatchedConsumer | undefined;
    const services = this.deliveryServices();
    const stuck = this.stuckHandlers(target);
    // The client notices a durable gone after a restart only when two heartbeats are missed (30 s).
    const checkExists = () => this.checkDurable(spec, (notice) => watched?.lose(notice));
    this.afterReconnect.add(checkExists);
    const loop = (async () => {
      for (;;) {
        watched = closeWhenLost(messages, (notice) => {
          this.lostDurables.add(`${spec.stream}/${spec.durable}`);
          this.log.error(
            { durable: spec.durable, stream: spec.stream, notice },
            'bus: durable gone from the server, creating it again',
          );
        });
        for await (const m of new KeptAliveMessages(messages, spec.ackWaitMs, stuck)) {
          // Pulled ahead but not started: hand it back at once so another instance takes it.
          if (stopping) {
            await this.handBack(m, spec.durable);
            continue;
          }
          await this.deliver(m, target, services, awaitingRetry);
          handledUpTo = m.timestampNanos;
          if (awaitingRetry.size > 0 && performance.now() - settledCheckedAt >= spec.ackWaitMs / 3) {
            settledCheckedAt = performance.now();
            await this.forgetSettled(spec, awaitingRetry);
          }
        }
        if (stopping || !watched.lost) return;
        const resume = async () => {
          await this.forgetGone(spec.stream, awaitingRetry);
          return resumeAt(spec, handledUpTo, awaitingRetry);
        };
        const next = await this.consumeAgain(spec, resume, () => stopping);
        this.lostDurables.delete(`${spec.stream}/${spec.durable}`);
        if (next === undefined) return;
        messages = next;
      }
    })()
      .catch((err) =>
        this.log.error({ durable: target.durable, error: errorText(err) }, 'bus: consumer stopped'),
      )
      .finally(() => this.afterReconnect.delete(checkExists));
    return {
      stop: async () => {
        stopping = true;
        await this.receiveSent();
        await messages.close();
        await loop;
      },
    };
  }

  private async deliver<T>(
    m: JsMsg,
    target: DeliveryTarget<T>,
    services: DeliveryServices,
    awaitingRetry: Map<number, bigint>,
  ): Promise<void> {
    const inbound = {
      subject: this.naming.logical(m.subject),
      raw: decoder.decode(m.data),
      // Tries of its handler: the server's count less the times a stopping bus handed it back unhandled.
      deliveries: Math.max(1, m.info.deliveryCount - (await this.handedBack.count(target.durable, m))),
    };
    return processDelivery(inbound, target, services, {
      ack: () => {
        awaitingRetry.delete(m.seq);
        m.ack();
      },
      retry: (delayMs) => {
        awaitingRetry.set(m.seq, m.timestampNanos);
        m.nak(delayMs);
      },
      // NATS 2.9 ignores `+TERM <reason>` (reasons arrived in 2.10), so terminate bare:
      // the reason is in the dead letter and the log line already.
      terminate: () => {
        awaitingRetry.delete(m.seq);
        m.term();
      },
    });
  }

  /**
   * Waits until what the server sent this connection so far has been read, before a consumer's close
   * unsubscribes it: a message still in transit then was dropped by the client, came back only after
   * the ack wait, counted as a try, with no hand-back recorded. One ping answered (bounded, skipped
   * disconnected); a message the server sends in the round trip after it can still be dropped so.
   */
  private async receiveSent(): Promise<void> {
    if (!this.connected || this.nc.isClosed()) return;
    await Promise.race([this.nc.flush().catch(() => {}), pause(FLUSH_AT_STOP_MS)]);
  }

  /**
   * Naks a message pulled ahead of a stopping handler, recording it first so its next delivery is not
   * counted as a try; when the record cannot be stored it is nak'd anyway and counts, as before.
   */
  private async handBack(m: JsMsg, durable: string): Promise<void> {
    // Disconnected, the record would wait for its publish timeout per message and stall the stop.
    if (!this.connected) {
      m.nak();
      return;
    }
    try {
      await this.handedBack.record(durable, m);
    } catch (err) {
      this.log.warn(
        { subject: this.naming.logical(m.subject), durable, error: errorText(err) },
        'bus: handing a message back at stop could not be recorded, it counts as a try',
      );
    }
    m.nak();
  }

  private async consume(spec: DurableSpec): Promise<ConsumerMessages> {
    const consumer = await this.js.consumers.get(spec.stream, spec.durable);
    return consumer.consume({ max_messages: spec.maxAckPending });
  }

  /** Asks the server for the durable (JetStream may take a few seconds to answer after a restart). */
  private async checkDurable(spec: DurableSpec, lose: (notice: string) => void): Promise<void> {
    for (let attempt = 0; attempt < RECONNECT_CHECKS && !this.closing; attempt++) {
      try {
        await this.jsm.consumers.info(spec.stream, spec.durable);
        return;
      } catch (err) {
        if (isMissing(err)) return lose('missing_after_reconnect');
      }
      await pause(RECREATE_RETRY_MS);
    }
  }

  /**
   * Forgets the retries kept for messages the stream no longer holds as they were (its stream deleted
   * and created again, which reuses sequences, or aged out): they never come back, and a durable
   * created again would otherwise start at them and deliver everything stored since, at every later
   * loss. Rejects when the stream cannot be read (missing until a service creates it again).
   */
  private async forgetGone(stream: string, awaitingRetry: Map<number, bigint>): Promise<void> {
    for (const [seq, stored] of [...awaitingRetry]) {
      const kept = await this.jsm.streams.getMessage(stream, { seq });
      if (kept === null || nanosOf(kept.timestamp) !== stored) awaitingRetry.delete(seq);
    }
  }

  /**
   * Forgets the retries kept for messages the durable settled through another instance (it took the
   * redelivery and acked or dead-lettered it): at or below its ack floor. Kept, such a retry never came
   * back to this instance, and a lost durable created again started at it. Read at most every third of
   * the ack wait, after a message, while retries are kept; a floor that cannot be read is read later.
   */
  private async forgetSettled(spec: DurableSpec, awaitingRetry: Map<number, bigint>): Promise<void> {
    const info = await this.jsm.consumers.info(spec.stream, spec.durable).catch(() => null);
    if (info === null) return;
    const floor = info.ack_floor.stream_seq;
    const settled = [...awaitingRetry.keys()].filter((seq) => seq <= floor);
    if (settled.length === 0) return;
    for (const seq of settled) awaitingRetry.delete(seq);
    this.log.info(
      { durable: spec.durable, stream: spec.stream, settled: settled.length },
      'bus: retries settled by another instance forgotten',
    );
  }

  /**
   * Creates a lost durable again as `subscribe` did, from where `resume` says (read at each try), retrying
   * until it can or the subscription stops.
   */
  private async consumeAgain(
    spec: DurableSpec,
    resume: () => Promise<DurableSpec>,
    stopping: () => boolean,
  ): Promise<ConsumerMessages | undefined> {
    while (!stopping()) {
      try {
        await ensureDurable(this.jsm, await resume());
        const messages = await this.consume(spec);
        if (!stopping()) {
          this.log.warn({ durable: spec.durable, stream: spec.stream }, 'bus: durable created again');
          return messages;
        }
        await messages.close();
      } catch (err) {
        this.log.error(
          { durable: spec.durable, stream: spec.stream, error: errorText(err) },
          'bus: creating a lost durable failed, retrying',
        );
        await pause(RECREATE_RETRY_MS);
      }
    }
    return undefined;
  }

  private stuckHandlers<T>(target: DeliveryTarget<T>): StuckHandlers {
    return {
      afterMs: this.options.stuckHandlerMs ?? DEFAULT_STUCK_HANDLER_MS,
      report: (m, runningMs) => {
        this.observer.message({ family: target.family.name, direction: 'in', outcome: 'stuck' });
        this.log.error(
          {
            subject: this.naming.logical(m.subject),
            durable: target.durable,
            deliveries: m.info.deliveryCount,
            runningMs: Math.round(runningMs),
          },
          'bus: handler still running, nothing else is delivered to its durable',
        );
      },
    };
  }

  private deliveryServices(): DeliveryServices {
    return {
      observer: this.observer,
      log: this.log,
      deadLetter: async (
        letter: DeadLetter,
        causedBy: Pick<EnvelopeHeader, 'id' | 'correlationId'> | undefined,
        id: string | undefined,
      ) => {
        const origin = { source: this.source, clock: this.options.clock, ids: this.ids };
        const envelope = buildEnvelope(origin, DeadLetters, letter, {
          ...(causedBy && { causedBy }),
          ...(id && { id }),
        });
        await this.send(DeadLetters, deadLetterSubject(letter.subject).value, envelope);
      },
    };
  }

  private track(inner: Subscription): Subscription {
    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopped ??= inner.stop().finally(() => this.subscriptions.delete(subscription));
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.connected = false;
      if (status.type === 'reconnect') {
        this.connected = true;
        for (const check of this.afterReconnect) void check();
      }
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.log.warn({ status: status.type, server: status.server }, 'bus: connection status changed');
      }
    }
  }

  private open(): void {
    if (this.closing) throw new BusError('closed', `bus of ${this.source} is drained`);
  }
}

/**
 * Where a durable created again starts: just after the last message handled, or at the oldest message
 * still waiting for a retry when that is earlier (a nak'd message's redelivery was the old durable's,
 * and went with it). The messages handled in between come again: handlers take repeats (ADR 8).
 */
function resumeAt(
  spec: DurableSpec,
  handledUpTo: bigint | undefined,
  awaitingRetry: ReadonlyMap<number, bigint>,
): DurableSpec {
  let from = handledUpTo === undefined ? undefined : handledUpTo + 1n;
  for (const stored of awaitingRetry.values()) if (from === undefined || stored < from) from = stored;
  return from === undefined ? spec : { ...spec, startTime: justAfter(from - 1n) };
}

/** A wait that does not by itself keep the process alive (a bus never drained must not). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function requestFailure(err: unknown, subject: string, timeoutMs: number): unknown {
  if (err instanceof BusError) return err;
  if (err instanceof RequestError && err.isNoResponders()) {
    return new BusError('no_responders', `nobody serves ${subject}`, { cause: err });
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return new BusError('request_timeout', `${subject} did not answer within ${timeoutMs} ms`, {
      cause: err,
    });
  }
  return new BusError('transport', `request to ${subject} failed: ${errorText(err)}`, { cause: err });
}
