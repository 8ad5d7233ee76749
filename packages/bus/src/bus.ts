import type {
  Clock,
  Envelope,
  EnvelopeHeader,
  IdGenerator,
  RpcEndpoint,
  Subject,
  SubjectPattern,
} from '@ballast/contracts';

export interface PublishOptions {
  /** Follows one trade idea; defaults to `causedBy`'s correlation id, else the new id. */
  correlationId?: string;
  /** Defaults to `causedBy`'s id, else null. */
  causationId?: string | null;
  /** The message that caused this one: sets correlation and causation ids unless given explicitly. */
  causedBy?: Pick<EnvelopeHeader, 'id' | 'correlationId'>;
  /** Source time (exchange time for market data); defaults to the clock's now. */
  eventTime?: number;
  /** Explicit id (a UUID) for messages that must de-duplicate on replay; defaults to a fresh UUIDv7. */
  id?: string;
}

export interface HandlerContext {
  readonly subject: string;
  /** 1 on first delivery. */
  readonly deliveries: number;
}

export type Handler<T> = (message: Envelope<T>, context: HandlerContext) => Promise<void> | void;

export interface SubscribeOptions {
  /** Durable consumer name: survives restarts; two subscribers with one name share the work. */
  durable: string;
  /** Deliveries before a message goes to the DLQ (default 5). */
  maxDeliver?: number;
  /** Redelivery delays in ms after each failure (default [200, 1000, 5000]); the last one repeats. */
  backoffMs?: number[];
  /** Where a new durable starts: only new messages (default) or everything retained. */
  deliverFrom?: 'new' | 'all';
}

export const DEFAULT_MAX_DELIVER = 5;
/**
 * `maxDeliver` of a command that must be carried out however long what it needs is away (a kill: its
 * cancels and flatten need the venue). Dead-lettered after the default five tries (about 11 s), a kill
 * given during a venue outage left our orders resting and the positions open; with this its last
 * backoff repeats until it is done, or a later command makes it outdated.
 */
export const UNTIL_CARRIED_OUT = 1_000_000_000;
export const DEFAULT_BACKOFF_MS: readonly number[] = [200, 1000, 5000];

export interface Subscription {
  /** Stops delivery to this handler after in-flight work finishes; the durable stays. */
  stop(): Promise<void>;
}

/** `stuck`: a handler still running past NatsBus's `stuckHandlerMs` (counted once per message, in). */
export type MessageOutcome = 'ok' | 'invalid' | 'error' | 'dead_lettered' | 'duplicate' | 'stuck';

/** How a bus reports what it does; service-kit turns this into Prometheus metrics. */
export interface BusObserver {
  message(event: { family: string; direction: 'in' | 'out'; outcome: MessageOutcome }): void;
  handled(event: { family: string; seconds: number; outcome: 'ok' | 'error' }): void;
}

/** The few logger methods the bus needs; a pino logger satisfies it. */
export interface BusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What every transport is built from: who publishes, and injected time and ids. */
export interface BusDeps {
  /** The service name written into every envelope's `source`. */
  source: string;
  clock: Clock;
  /** Defaults to UUIDv7 from the clock and crypto random bytes. */
  ids?: IdGenerator;
  observer?: BusObserver;
  log?: BusLogger;
}

export interface Bus {
  readonly source: string;
  publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<Envelope<T>>;
  /** Re-publishes a complete envelope unchanged (replay, forwarding); de-duplicated by its id. */
  publishEnvelope<T>(subject: Subject<T>, envelope: Envelope<T>): Promise<void>;
  subscribe<T>(
    on: Subject<T> | SubjectPattern<T>,
    handler: Handler<T>,
    options: SubscribeOptions,
  ): Promise<Subscription>;
  request<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    request: Req,
    options?: { timeoutMs?: number },
  ): Promise<Res>;
  serve<Req, Res>(
    endpoint: RpcEndpoint<Req, Res>,
    handler: (request: Req) => Promise<Res> | Res,
  ): Promise<Subscription>;
  /** True when the transport is connected and every subscription has its durable (used by /readyz). */
  isHealthy(): boolean;
  /** Stops consuming, lets in-flight handlers finish and ack, flushes, closes. Safe to call twice. */
  drain(): Promise<void>;
}
