import { familyOf, STREAMS, type SubjectFamily, subjectMatches } from '@ballast/contracts';
import type { BusLogger } from './bus';
import { BusError } from './bus-error';
import {
  type DeliveryControl,
  type DeliveryServices,
  type DeliveryTarget,
  processDelivery,
} from './delivery';
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

interface Pending {
  durable: Durable;
  subject: string;
  raw: string;
  deliveries: number;
  /** The family the publisher validated `raw` as; null for unvalidated text (publishRaw). */
  checkedAs: SubjectFamily<unknown> | null;
}

interface Retained {
  subject: string;
  raw: string;
  checkedAs: SubjectFamily<unknown> | null;
}

const MAX_ROUTES = 10_000;

export interface MemoryHubOptions {
  /** Envelope ids remembered per stream for de-duplication (default 100,000). */
  dedupWindow?: number;
  /** Messages kept per stream for durables that start from 'all' (default 10,000, at most the stream's max). */
  retainPerStream?: number;
  log?: BusLogger;
}

/**
 * The in-process broker behind MemoryBus: one FIFO queue for every delivery, worked one message
 * at a time, so the same input gives the same order of handler calls. Several MemoryBus instances
 * (one per service) may share one hub in a single-process run.
 */
export class MemoryHub {
  private readonly queue: Pending[] = [];
  private readonly durables = new Map<string, Durable>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly retained = new Map<string, MemoryRetainedLog<Retained>>();
  /** The durables each subject goes to; rebuilt after a durable is created. */
  private readonly routes = new Map<string, Durable[]>();
  private readonly endpoints = new Map<string, (raw: string) => Promise<string>>();
  private readonly idleWaiters: Array<() => void> = [];
  private pumping = false;
  private readonly dedupWindow: number;
  private readonly retainPerStream: number;

  constructor(private readonly options: MemoryHubOptions = {}) {
    this.dedupWindow = options.dedupWindow ?? 100_000;
    this.retainPerStream = options.retainPerStream ?? 10_000;
  }

  /**
   * Stores and routes a message; returns false when its id was already seen on the stream. `checked`:
   * the caller validated `raw` as `family`'s envelope, so subscribers of that family only parse it.
   */
  publish(
    family: SubjectFamily<unknown>,
    subject: string,
    raw: string,
    id: string | null,
    checked = false,
  ): boolean {
    if (id !== null && !this.remember(family.stream, id)) return false;
    const checkedAs = checked ? family : null;
    this.retain(family.stream, subject, raw, checkedAs);
    for (const durable of this.routeOf(family.stream, subject)) {
      this.queue.push({ durable, subject, raw, deliveries: 1, checkedAs });
    }
    this.schedule();
    return true;
  }

  /** Puts unvalidated text on a subject, as a foreign or broken producer would. */
  publishRaw(subject: string, raw: string): void {
    const family = familyOf(subject);
    if (!family) throw new BusError('transport', `no stream captures subject ${subject}`);
    this.publish(family, subject, raw, null);
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
    if (!durable) {
      durable = { stream, name, filter, members: [], turn: 0, backlog: [] };
      this.durables.set(key, durable);
      this.routes.clear();
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

  /** Resolves once every queued delivery has been handled (including those they caused). */
  idle(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private remember(stream: string, id: string): boolean {
    let ids = this.seen.get(stream);
    if (!ids) {
      ids = new Set();
      this.seen.set(stream, ids);
    }
    if (ids.has(id)) return false;
    ids.add(id);
    // A Set iterates in insertion order, so the first entry is the oldest id.
    if (ids.size > this.dedupWindow) ids.delete(ids.values().next().value as string);
    return true;
  }

  private routeOf(stream: string, subject: string): Durable[] {
    const key = `${stream} ${subject}`;
    let route = this.routes.get(key);
    if (!route) {
      route = [...this.durables.values()].filter(
        (d) => d.stream === stream && subjectMatches(d.filter, subject),
      );
      // Subjects carry symbols and timeframes: bounded in practice, bounded here regardless.
      if (this.routes.size >= MAX_ROUTES) this.routes.clear();
      this.routes.set(key, route);
    }
    return route;
  }

  private retain(
    stream: string,
    subject: string,
    raw: string,
    checkedAs: SubjectFamily<unknown> | null,
  ): void {
    let log = this.retained.get(stream);
    if (!log) {
      const limit = Math.min(
        this.retainPerStream,
        STREAMS.find((s) => s.name === stream)?.maxMsgs ?? Number.POSITIVE_INFINITY,
      );
      log = new MemoryRetainedLog(limit);
      this.retained.set(stream, log);
    }
    log.push({ subject, raw, checkedAs });
  }

  private replayRetained(durable: Durable): void {
    for (const m of this.retained.get(durable.stream) ?? []) {
      if (subjectMatches(durable.filter, m.subject))
        this.queue.push({ durable, subject: m.subject, raw: m.raw, deliveries: 1, checkedAs: m.checkedAs });
    }
  }

  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    queueMicrotask(() => void this.pump());
  }

  private async pump(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      await this.dispatch(next);
    }
    this.pumping = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async dispatch(pending: Pending): Promise<void> {
    const { durable } = pending;
    const member = durable.members[durable.turn % Math.max(1, durable.members.length)];
    if (!member) {
      durable.backlog.push(pending);
      return;
    }
    durable.turn++;
    const control = this.control(pending, member);
    const run = processDelivery(
      {
        subject: pending.subject,
        raw: pending.raw,
        deliveries: pending.deliveries,
        trusted: pending.checkedAs === member.target.family,
      },
      member.target,
      member.services,
      control,
    );
    member.inFlight = run;
    try {
      await run;
    } catch (err) {
      this.options.log?.error(
        { subject: pending.subject, error: String(err) },
        'bus: memory delivery failed',
      );
    } finally {
      member.inFlight = undefined;
    }
  }

  private control(pending: Pending, member: MemoryMember): DeliveryControl {
    return {
      ack() {},
      terminate() {},
      // Immediate: backtests run on a virtual clock, so backoff delays are not slept.
      retry: () => {
        if (pending.deliveries >= member.target.maxDeliver) return;
        this.queue.push({ ...pending, deliveries: pending.deliveries + 1 });
      },
    };
  }
}
