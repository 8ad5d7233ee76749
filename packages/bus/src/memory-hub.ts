import { type Envelope, familyOf, STREAMS, type SubjectFamily, subjectMatches } from '@ballast/contracts';
import type { BusLogger } from './bus';
import { BusError } from './bus-error';
import {
  type DeliveryControl,
  type DeliveryServices,
  type DeliveryTarget,
  type InboundMessage,
  processDelivery,
} from './delivery';
import { DUPLICATE_WINDOW_MS } from './duplicate-window';
import { MemoryMessage } from './memory-message';
import { MemoryRetainedLog } from './memory-retained-log';

/** One subscriber of a durable: its target and where its dead letters go. */
export interface MemoryMember {
  target: DeliveryTarget<unknown>;
  services: DeliveryServices;
  inFlight: Promise<void> | undefined;
}

interface Durable {
  stream: string;
  name: string;
  filter: string;
  members: MemoryMember[];
  turn: number;
  /** Messages that arrived while no member was subscribed; delivered when one returns. */
  backlog: Pending[];
}

/**
 * One delivery of a message to a durable: what the pipeline reads and how it answers. A class, so
 * a delivery allocates one object and no closures.
 */
class Pending implements InboundMessage, DeliveryControl {
  /** Set when dispatched: the frozen envelope, if the member's family is the one it was checked as. */
  envelope: Envelope<unknown> | undefined = undefined;
  /** Set when dispatched. */
  member: MemoryMember | undefined = undefined;

  constructor(
    readonly durable: Durable,
    readonly message: MemoryMessage,
    readonly deliveries: number,
    private readonly hub: MemoryHub,
  ) {}

  get subject(): string {
    return this.message.subject;
  }

  /** Written only if the pipeline needs the text (decoding, dead-lettering). */
  get raw(): string {
    return this.message.raw;
  }

  ack(): void {}

  terminate(): void {}

  /**
   * As JetStream redelivers without limit (the bus counts tries, ADR 2): a retry is never dropped.
   * Immediate while the handler has tries left (backtests run on a virtual clock, so backoff delays
   * are not slept); past them the retry is for a dead letter that could not be stored, and waits
   * `delayMs` of publishing time or the DLQ accepting again, so a backtest does not spin on it.
   */
  retry(delayMs: number): void {
    const next = new Pending(this.durable, this.message, this.deliveries + 1, this.hub);
    if (this.member && this.deliveries >= this.member.target.maxDeliver) this.hub.park(next, delayMs);
    else this.hub.enqueue(next);
  }
}

const MAX_ROUTES = 10_000;

export interface MemoryHubOptions {
  /**
   * Messages kept per stream for durables that start from 'all' (default 10,000, at most the stream's
   * max). 0 keeps none, and a durable asking to start from 'all' is then refused rather than silently
   * given nothing (a backtest, whose durables all join before the first message, keeps nothing).
   */
  retainPerStream?: number;
  log?: BusLogger;
  /**
   * Wall-clock time a handler may run on one message before `idle()` rejects (`stuck_handler`, naming
   * its subject and durable) and an error is logged: as NatsBus's `stuckHandlerMs` (default 10 minutes).
   * Everything waits behind one delivery, so a handler that never returns hung the backtest silently.
   */
  stuckHandlerMs?: number;
}

const DEFAULT_STUCK_HANDLER_MS = 600_000;

/**
 * The in-process broker behind MemoryBus: one FIFO queue for every delivery, worked one message
 * at a time, so the same input gives the same order of handler calls. Several MemoryBus instances
 * (one per service) may share one hub in a single-process run.
 */
export class MemoryHub {
  private readonly queue: Pending[] = [];
  /** Retries of dead letters that could not be stored, with the publishing time they are due at. */
  private readonly parked: Array<{ pending: Pending; due: number }> = [];
  /** The latest publishing time seen: the hub's notion of now. */
  private latest = Number.NEGATIVE_INFINITY;
  /** Streams that refuse publishes, as a stream gone from NATS does. */
  private readonly refused = new Set<string>();
  private readonly durables = new Map<string, Durable>();
  /** Per stream, each envelope id published within the duplicate window and when, oldest first. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly retained = new Map<string, MemoryRetainedLog<MemoryMessage>>();
  /** The durables each subject of a stream goes to; rebuilt after a durable is created. */
  private readonly routes = new Map<string, Map<string, Durable[]>>();
  private routeCount = 0;
  private readonly endpoints = new Map<string, (raw: string) => Promise<string>>();
  private readonly idleWaiters: Array<{ resolve: () => void; reject: (err: BusError) => void }> = [];
  private pumping = false;
  /** The delivery being handled and since when (performance.now), for the stuck-handler watchdog. */
  private running: { pending: Pending; since: number } | undefined;
  /** Set once the running delivery is past `stuckHandlerMs`; cleared when it returns. */
  private stuck: BusError | undefined;
  private readonly retainPerStream: number;

  constructor(private readonly options: MemoryHubOptions = {}) {
    this.retainPerStream = options.retainPerStream ?? 10_000;
  }

  /**
   * Stores and routes a message on `family`'s stream, published at `at` by the publisher's clock;
   * returns false when its id was published there less than DUPLICATE_WINDOW_MS before. A message
   * its publisher validated (`MemoryMessage.checked`) reaches that family's subscribers as its frozen
   * envelope, unparsed.
   */
  publish(family: SubjectFamily<unknown>, message: MemoryMessage, id: string | null, at: number): boolean {
    if (this.refused.has(family.stream)) {
      throw new BusError('transport', `stream ${family.stream} refuses publishes (no responders)`);
    }
    if (at > this.latest) this.latest = at;
    if (id !== null && !this.remember(family.stream, id, at)) return false;
    this.retain(family.stream, message);
    for (const durable of this.routeOf(family.stream, message.subject)) {
      this.queue.push(new Pending(durable, message, 1, this));
    }
    this.unpark((due) => due <= this.latest);
    this.schedule();
    return true;
  }

  /**
   * Makes `stream` refuse every publish, as NATS does for a stream that is gone (a DLQ stream deleted,
   * its server away), until `accept`. For previews and tests of an outage.
   */
  refuse(stream: string): void {
    this.refused.add(stream);
  }

  /** Ends `refuse(stream)`; the dead letters waiting to be stored are tried again at once. */
  accept(stream: string): void {
    this.refused.delete(stream);
    this.unpark(() => true);
    this.schedule();
  }

  enqueue(pending: Pending): void {
    this.queue.push(pending);
  }

  park(pending: Pending, delayMs: number): void {
    this.parked.push({ pending, due: this.latest + delayMs });
  }

  private unpark(due: (at: number) => boolean): void {
    for (let i = 0; i < this.parked.length; ) {
      const parked = this.parked[i]!;
      if (due(parked.due)) {
        this.queue.push(parked.pending);
        this.parked.splice(i, 1);
      } else i++;
    }
  }

  /** Puts unvalidated text on a subject, as a foreign or broken producer would. */
  publishRaw(subject: string, raw: string): void {
    const family = familyOf(subject);
    if (!family) throw new BusError('transport', `no stream captures subject ${subject}`);
    // No envelope id is read from raw text, so nothing is remembered and its time does not matter.
    this.publish(family, MemoryMessage.raw(subject, raw), null, 0);
  }

  join(stream: string, name: string, filter: string, member: MemoryMember, fromStart: boolean): void {
    const key = `${stream}/${name}`;
    let durable = this.durables.get(key);
    if (durable && durable.filter !== filter) {
      throw new BusError(
        'consumer_conflict',
        `durable ${name} on ${stream} already filters ${durable.filter}, not ${filter}`,
      );
    }
    if (!durable && fromStart && this.retainPerStream === 0) {
      throw new BusError(
        'transport',
        `durable ${name} on ${stream} starts from 'all', but this hub keeps nothing`,
      );
    }
    if (!durable) {
      durable = { stream, name, filter, members: [], turn: 0, backlog: [] };
      this.durables.set(key, durable);
      this.clearRoutes();
      if (fromStart) this.replayRetained(durable);
    }
    durable.members.push(member);
    this.queue.unshift(...durable.backlog.splice(0));
    this.schedule();
  }

  /** Removes a member and waits for the message it is handling, if any. */
  async leave(stream: string, name: string, member: MemoryMember): Promise<void> {
    const durable = this.durables.get(`${stream}/${name}`);
    if (durable) durable.members = durable.members.filter((m) => m !== member);
    await member.inFlight;
  }

  serve(subject: string, answer: (raw: string) => Promise<string>): void {
    this.endpoints.set(subject, answer);
  }

  unserve(subject: string, answer: (raw: string) => Promise<string>): void {
    if (this.endpoints.get(subject) === answer) this.endpoints.delete(subject);
  }

  endpoint(subject: string): ((raw: string) => Promise<string>) | undefined {
    return this.endpoints.get(subject);
  }

  /**
   * Resolves once every queued delivery has been handled (including those they caused); a message
   * waiting to be dead-lettered again (`park`) is not waited for.
   */
  idle(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    if (this.stuck) return Promise.reject(this.stuck);
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  /**
   * As JetStream's duplicate_window: an id is a duplicate for DUPLICATE_WINDOW_MS after its first
   * publish (a repeat does not extend that), then forgotten and accepted again.
   */
  private remember(stream: string, id: string, at: number): boolean {
    let ids = this.seen.get(stream);
    if (!ids) {
      ids = new Map();
      this.seen.set(stream, ids);
    }
    const seenAt = ids.get(id);
    if (seenAt !== undefined && at - seenAt < DUPLICATE_WINDOW_MS) return false;
    // A Map iterates in insertion order; ids go in as published and clocks run forward, so the
    // expired ones are at its front.
    for (const old of ids.keys()) {
      if (at - (ids.get(old) as number) < DUPLICATE_WINDOW_MS) break;
      ids.delete(old);
    }
    ids.delete(id);
    ids.set(id, at);
    return true;
  }

  private routeOf(stream: string, subject: string): Durable[] {
    let routes = this.routes.get(stream);
    if (!routes) {
      routes = new Map();
      this.routes.set(stream, routes);
    }
    let route = routes.get(subject);
    if (!route) {
      route = [...this.durables.values()].filter(
        (d) => d.stream === stream && subjectMatches(d.filter, subject),
      );
      // Subjects carry symbols and timeframes: bounded in practice, bounded here regardless.
      if (this.routeCount >= MAX_ROUTES) this.clearRoutes();
      routes.set(subject, route);
      this.routeCount++;
    }
    return route;
  }

  private clearRoutes(): void {
    this.routes.clear();
    this.routeCount = 0;
  }

  private retain(stream: string, message: MemoryMessage): void {
    if (this.retainPerStream === 0) return;
    let log = this.retained.get(stream);
    if (!log) {
      const limit = Math.min(
        this.retainPerStream,
        STREAMS.find((s) => s.name === stream)?.maxMsgs ?? Number.POSITIVE_INFINITY,
      );
      log = new MemoryRetainedLog(limit);
      this.retained.set(stream, log);
    }
    log.push(message);
  }

  private replayRetained(durable: Durable): void {
    for (const message of this.retained.get(durable.stream) ?? []) {
      if (subjectMatches(durable.filter, message.subject))
        this.queue.push(new Pending(durable, message, 1, this));
    }
  }

  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    queueMicrotask(() => void this.pump());
  }

  private async pump(): Promise<void> {
    // Kept referenced: a handler awaiting something that never settles would otherwise let the process
    // exit, or wait, with nothing said.
    const limitMs = this.options.stuckHandlerMs ?? DEFAULT_STUCK_HANDLER_MS;
    const watchdog = setInterval(() => this.watch(limitMs), Math.max(1, Math.min(1_000, limitMs / 2)));
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        await this.dispatch(next);
      }
    } finally {
      clearInterval(watchdog);
    }
    this.pumping = false;
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  private watch(limitMs: number): void {
    const running = this.running;
    if (running === undefined || this.stuck !== undefined) return;
    const runningMs = performance.now() - running.since;
    if (runningMs < limitMs) return;
    const { subject, durable } = running.pending;
    this.stuck = new BusError(
      'stuck_handler',
      `handler of durable ${durable.name} on ${durable.stream} still running after ${Math.round(runningMs)} ms on ${subject}; nothing else is delivered`,
    );
    this.options.log?.error(
      { subject, durable: durable.name, stream: durable.stream, runningMs: Math.round(runningMs) },
      'bus: handler still running, nothing else is delivered',
    );
    for (const waiter of this.idleWaiters.splice(0)) waiter.reject(this.stuck);
  }

  private async dispatch(pending: Pending): Promise<void> {
    const { durable } = pending;
    const member = durable.members[durable.turn % Math.max(1, durable.members.length)];
    if (!member) {
      durable.backlog.push(pending);
      return;
    }
    durable.turn++;
    pending.member = member;
    pending.envelope = pending.message.deliverableTo(member.target.family);
    const run = processDelivery(pending, member.target, member.services, pending);
    member.inFlight = run;
    this.running = { pending, since: performance.now() };
    try {
      await run;
    } catch (err) {
      this.options.log?.error(
        { subject: pending.subject, error: String(err) },
        'bus: memory delivery failed',
      );
    } finally {
      member.inFlight = undefined;
      this.running = undefined;
      this.stuck = undefined;
    }
  }
}
