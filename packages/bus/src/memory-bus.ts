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
import { type DeliveryServices, deliveryTarget } from './delivery';
import { buildEnvelope } from './envelope-codec';
import { MemoryHub, type MemoryMember } from './memory-hub';
import { MemoryMessage } from './memory-message';
import { validateOutbound } from './outbound';
import { randomIds } from './random-ids';
import { answerRequest, decodeReply, encodeRequest } from './rpc-wire';
import { silentLog, silentObserver } from './silent-log';

export interface MemoryBusDeps extends BusDeps {
  /** Share one hub between the buses of several services in one process; default: a private hub. */
  hub?: MemoryHub;
}

/**
 * In-process transport for backtests and single-process runs: deterministic FIFO delivery, the same
 * validation, de-duplication, redelivery and DLQ rules as NatsBus, redelivery without waiting.
 */
export class MemoryBus implements Bus {
  readonly source: string;
  readonly hub: MemoryHub;
  private readonly ids: IdGenerator;
  private readonly observer: BusObserver;
  private readonly log: BusLogger;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private drained: Promise<void> | undefined;

  constructor(private readonly deps: MemoryBusDeps) {
    this.source = deps.source;
    this.ids = deps.ids ?? randomIds(deps.clock);
    this.observer = deps.observer ?? silentObserver;
    this.log = deps.log ?? silentLog;
    this.hub = deps.hub ?? new MemoryHub({ log: this.log });
  }

  async publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<Envelope<T>> {
    const envelope = buildEnvelope(
      { source: this.source, clock: this.deps.clock, ids: this.ids },
      subject.family,
      payload,
      options,
    );
    return this.send(subject.family, subject.value, envelope);
  }

  async publishEnvelope<T>(subject: Subject<T>, envelope: Envelope<T>): Promise<void> {
    await this.send(subject.family, subject.value, envelope);
  }

  /** Puts unvalidated text on a subject, as a foreign or broken producer would (tests, tools). */
  publishRaw(subjectValue: string, raw: string): void {
    this.open();
    this.hub.publishRaw(subjectValue, raw);
  }

  async subscribe<T>(
    on: Subject<T> | SubjectPattern<T>,
    handler: Handler<T>,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    this.open();
    const member: MemoryMember = {
      target: deliveryTarget(on.family, handler, options) as MemoryMember['target'],
      services: this.deliveryServices(),
      inFlight: undefined,
    };
    const stream = on.family.stream;
    this.hub.join(stream, options.durable, on.value, member, options.deliverFrom === 'all');
    return this.track(() => this.hub.leave(stream, options.durable, member));
  }

  async request<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    request: Req,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    this.open();
    const body = encodeRequest(endpoint, request);
    const answer = this.hub.endpoint(endpoint.subject);
    if (!answer) throw new BusError('no_responders', `nobody serves ${endpoint.subject}`);
    const raw = await withTimeout(answer(body), options?.timeoutMs ?? 5_000, endpoint.subject);
    return decodeReply(endpoint, raw);
  }

  async serve<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    handler: (request: Req) => Promise<Res> | Res,
  ): Promise<Subscription> {
    this.open();
    const inFlight = new Set<Promise<string>>();
    const answer = (raw: string): Promise<string> => {
      const run = answerRequest(endpoint, raw, handler, this.log);
      inFlight.add(run);
      return run.finally(() => inFlight.delete(run));
    };
    this.hub.serve(endpoint.subject, answer);
    return this.track(async () => {
      this.hub.unserve(endpoint.subject, answer);
      await Promise.allSettled([...inFlight]);
    });
  }

  isHealthy(): boolean {
    return !this.closed;
  }

  /** Resolves when the hub's queue is empty and no handler runs. Never await it inside a handler. */
  idle(): Promise<void> {
    return this.hub.idle();
  }

  drain(): Promise<void> {
    this.drained ??= (async () => {
      this.closed = true;
      await Promise.all([...this.subscriptions].map((s) => s.stop()));
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
    const message = MemoryMessage.checked(subjectValue, family, checked);
    const fresh = this.hub.publish(
      family as SubjectFamily<unknown>,
      message,
      checked.id,
      this.deps.clock.now(),
    );
    this.observer.message({ family: family.name, direction: 'out', outcome: fresh ? 'ok' : 'duplicate' });
    // The publisher gets what its subscribers get: the frozen envelope.
    return message.envelope as Envelope<T>;
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
        const origin = { source: this.source, clock: this.deps.clock, ids: this.ids };
        const envelope = buildEnvelope(origin, DeadLetters, letter, {
          ...(causedBy && { causedBy }),
          ...(id && { id }),
        });
        const checked = validateOutbound(DeadLetters, envelope, this.observer, this.log);
        const subjectValue = deadLetterSubject(letter.subject).value;
        const fresh = this.hub.publish(
          DeadLetters,
          MemoryMessage.checked(subjectValue, DeadLetters, checked),
          checked.id,
          this.deps.clock.now(),
        );
        this.observer.message({
          family: DeadLetters.name,
          direction: 'out',
          outcome: fresh ? 'ok' : 'duplicate',
        });
      },
    };
  }

  private track(stop: () => Promise<void>): Subscription {
    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopped ??= stop().finally(() => this.subscriptions.delete(subscription));
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private open(): void {
    if (this.closed) throw new BusError('closed', `bus of ${this.source} is drained`);
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, subject: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BusError('request_timeout', `${subject} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
