import type { Envelope, RpcEndpoint, Subject, SubjectPattern } from '@ballast/contracts';

export interface PublishOptions {
  /** Follows one trade idea; defaults to the causing message's correlation id, else the new id. */
  correlationId?: string;
  causationId?: string | null;
  /** Source time (exchange time for market data); defaults to the clock's now. */
  eventTime?: number;
  /** Explicit id for messages that must de-duplicate on replay; defaults to a fresh UUIDv7. */
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
  /** Redelivery delays in ms after each failure (default [200, 1000, 5000]). */
  backoffMs?: number[];
  /** Where a new durable starts: only new messages (default) or everything retained. */
  deliverFrom?: 'new' | 'all';
}

export interface Subscription {
  /** Stops delivery to this handler after in-flight work finishes; the durable stays. */
  stop(): Promise<void>;
}

export type MessageOutcome = 'ok' | 'invalid' | 'error' | 'dead_lettered' | 'duplicate';

/** How a bus reports what it does; service-kit turns this into Prometheus metrics. */
export interface BusObserver {
  message(event: { family: string; direction: 'in' | 'out'; outcome: MessageOutcome }): void;
  handled(event: { family: string; seconds: number; outcome: 'ok' | 'error' }): void;
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
  request<Req, Res>(endpoint: RpcEndpoint<Req, Res>, request: Req, options?: { timeoutMs?: number }): Promise<Res>;
  serve<Req, Res>(endpoint: RpcEndpoint<Req, Res>, handler: (request: Req) => Promise<Res> | Res): Promise<Subscription>;
  /** True when the transport is connected (used by /readyz). */
  isHealthy(): boolean;
  /** Stops consuming, lets in-flight handlers finish and ack, flushes, closes. */
  drain(): Promise<void>;
}
